from django.contrib import admin

from qinlin.organisations.models import PartyBranch, PartyMembership


class MembershipInline(admin.TabularInline[PartyMembership, PartyBranch]):
    model = PartyMembership
    raw_id_fields = ["person"]
    extra = 0


@admin.register(PartyBranch)
class PartyBranchAdmin(admin.ModelAdmin[PartyBranch]):
    list_display = ["name", "community", "kind", "founded_on"]
    list_filter = ["kind", "community"]
    filter_horizontal = ["compounds"]
    inlines = [MembershipInline]
