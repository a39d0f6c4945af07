from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from qinlin.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["id", "at", "actor", "verb", "object_type", "object_id"]
    list_filter = ["verb"]
    search_fields = ["verb", "object_id"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
