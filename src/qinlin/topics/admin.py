from django.contrib import admin

from qinlin.topics.models import Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin[Topic]):
    list_display = ["title", "category", "place", "stage", "created_at"]
    list_filter = ["stage", "category"]
    search_fields = ["title", "uid"]
    raw_id_fields = ["place", "created_by"]
