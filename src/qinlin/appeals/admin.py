from django.contrib import admin

from qinlin.appeals.models import Appeal, AppealEvent, AppealPhoto, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["name", "name_en", "code", "is_active", "order"]
    list_editable = ["is_active", "order"]


class EventInline(admin.TabularInline[AppealEvent, Appeal]):
    model = AppealEvent
    extra = 0
    raw_id_fields = ["actor"]


class PhotoInline(admin.TabularInline[AppealPhoto, Appeal]):
    model = AppealPhoto
    extra = 0


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin[Appeal]):
    list_display = ["text", "category", "place", "channel", "status", "created_at"]
    list_filter = ["status", "channel", "category"]
    search_fields = ["text", "uid"]
    raw_id_fields = ["place", "household", "reporter", "entered_by", "topic"]
    inlines = [EventInline, PhotoInline]
