from django.contrib import admin

from qinlin.places.models import Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin[Place]):
    list_display = ["name", "kind", "path", "area", "register_no", "developer_unsold"]
    list_filter = ["kind", "developer_unsold"]
    search_fields = ["name", "register_no", "owner_key"]
    raw_id_fields = ["parent"]
    readonly_fields = ["uid", "path"]
