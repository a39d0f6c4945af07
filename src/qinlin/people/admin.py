from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from qinlin.people.models import ClaimCode, Person, Residency, RoleAssignment


@admin.register(Person)
class PersonAdmin(UserAdmin):  # type: ignore[type-arg]
    ordering = ["name"]
    list_display = ["name", "phone_masked", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["name", "phone"]
    readonly_fields = ["uid", "date_joined", "last_login"]
    fieldsets = (
        (None, {"fields": ("uid", "name", "phone", "password", "language")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("时间"), {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("name", "phone", "password1", "password2")}),
    )

    @admin.display(description=_("手机号码"))
    def phone_masked(self, obj: Person) -> str:
        return obj.phone_masked


@admin.register(Residency)
class ResidencyAdmin(admin.ModelAdmin[Residency]):
    list_display = ["person", "home", "relation", "status", "via", "requested_at"]
    list_filter = ["status", "relation", "via"]
    raw_id_fields = ["person", "home", "decided_by"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin[RoleAssignment]):
    list_display = ["person", "role", "place", "starts_on", "ends_on"]
    list_filter = ["role"]
    raw_id_fields = ["person", "place", "granted_by"]


@admin.register(ClaimCode)
class ClaimCodeAdmin(admin.ModelAdmin[ClaimCode]):
    list_display = ["home", "relation", "created_at", "used_at", "revoked_at"]
    readonly_fields = ["code_hash"]
    raw_id_fields = ["home", "created_by", "used_by"]
