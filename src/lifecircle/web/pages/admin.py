"""The Django admin for back-office data. Every save and delete made here is audited too;
requests and the audit log are read-only here (requests change only through their states)."""

from django.contrib import admin
from django.db import models, transaction

from lifecircle.ops.access import Actor
from lifecircle.ops.audit import record, snapshot
from lifecircle.store.inspections.models import (
    ActionItem,
    ChecklistItem,
    ChecklistTemplate,
    InspectionPlan,
    InspectionTask,
    ItemResult,
    Meeting,
    RectificationOrder,
)
from lifecircle.store.org.models import ApiKey, AuditEntry, OrgUnit, RoleGrant
from lifecircle.store.requests.models import RequestEvent, ServiceRequest
from lifecircle.store.roster.models import (
    DutyAssignment,
    Holiday,
    RotationPlan,
    SwapRequest,
    Unavailability,
)
from lifecircle.store.stations.models import (
    CatalogueItem,
    ServiceAttribute,
    ServiceCategory,
    Station,
)
from lifecircle.store.volunteers.models import Activity, SignUp, Team

admin.site.site_header = "睦邻驿站后台 Station back office"
admin.site.site_title = "睦邻驿站 stations"


class AuditedAdmin(admin.ModelAdmin):
    """Writes through the admin land in the append-only audit log like any other."""

    def save_model(self, request, obj, form, change) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            action = f"admin.{'change' if change else 'add'}"
            record(Actor.of(request.user), action, obj, before=before, unit=None)

    def delete_model(self, request, obj: models.Model) -> None:
        with transaction.atomic():
            record(Actor.of(request.user), "admin.delete", obj, before=snapshot(obj), unit=None)
            super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change) -> None:
        """Inline rows (catalogue lines, checklist items …) are audited one by one."""
        actor = Actor.of(request.user)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record(actor, "admin.delete", obj, before=snapshot(obj), unit=None)
            obj.delete()
        for obj in instances:
            before = snapshot(type(obj).objects.get(pk=obj.pk)) if obj.pk else None
            obj.save()
            action = "admin.change" if before else "admin.add"
            record(actor, action, obj, before=before, unit=None)
        formset.save_m2m()

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OrgUnit)
class OrgUnitAdmin(AuditedAdmin):
    list_display = ("name", "kind", "parent", "path")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(RoleGrant)
class RoleGrantAdmin(AuditedAdmin):
    list_display = ("user", "role", "unit")
    list_filter = ("role", "unit__kind")
    search_fields = ("user__username", "unit__name")
    autocomplete_fields = ("unit",)


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedAdmin):
    list_display = ("name", "unit", "user", "active", "created")
    list_filter = ("active",)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "model", "object_id", "unit")
    list_filter = ("action", "model")
    search_fields = ("actor_label", "object_id", "note")
    date_hierarchy = "at"


class CatalogueInline(admin.TabularInline):
    model = CatalogueItem
    extra = 0


@admin.register(Station)
class StationAdmin(AuditedAdmin):
    list_display = ("name", "unit", "opening_hours", "floor_area_m2", "active")
    list_filter = ("active", "unit__parent")
    search_fields = ("name", "address")
    inlines = [CatalogueInline]


class AttributeInline(admin.TabularInline):
    model = ServiceAttribute
    extra = 0


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(AuditedAdmin):
    list_display = ("code", "name_zh", "name_en", "group", "sla_hours", "warning_hours", "active")
    list_filter = ("group", "active")
    search_fields = ("code", "name_zh", "name_en", "keywords")
    inlines = [AttributeInline]


@admin.register(CatalogueItem)
class CatalogueItemAdmin(AuditedAdmin):
    list_display = ("title", "station", "kind", "schedule", "provider", "category", "active")
    list_filter = ("kind", "active", "station")
    search_fields = ("title", "provider")


class EventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor_label", "from_status", "to_status", "note")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "station",
        "category",
        "status",
        "channel",
        "assigned_party",
        "requested_datetime",
        "expected_datetime",
        "rating",
    )
    list_filter = ("status", "channel", "category", "station", "assigned_party")
    search_fields = ("description", "address", "contact_name")
    date_hierarchy = "requested_datetime"
    inlines = [EventInline]


@admin.register(RotationPlan)
class RotationPlanAdmin(AuditedAdmin):
    list_display = ("station", "task", "rrule", "parties", "starts")
    list_filter = ("station",)


@admin.register(DutyAssignment)
class DutyAssignmentAdmin(AuditedAdmin):
    list_display = ("date", "station", "task", "party", "person")
    list_filter = ("party", "station")
    date_hierarchy = "date"


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    list_display = ("date", "name", "unit")
    date_hierarchy = "date"


@admin.register(Unavailability)
class UnavailabilityAdmin(AuditedAdmin):
    list_display = ("date", "user", "reason")
    date_hierarchy = "date"


@admin.register(SwapRequest)
class SwapRequestAdmin(AuditedAdmin):
    list_display = ("assignment", "requested_by", "replacement", "status", "created")
    list_filter = ("status",)


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(AuditedAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    inlines = [ChecklistItemInline]


@admin.register(InspectionPlan)
class InspectionPlanAdmin(AuditedAdmin):
    list_display = ("station", "template", "mode", "interval", "starts", "active")
    list_filter = ("mode", "interval", "active")


@admin.register(InspectionTask)
class InspectionTaskAdmin(AuditedAdmin):
    list_display = ("due_date", "station", "template", "mode", "status", "inspector")
    list_filter = ("status", "mode", "template__kind", "station")
    date_hierarchy = "due_date"


@admin.register(ItemResult)
class ItemResultAdmin(AuditedAdmin):
    list_display = ("task", "item", "passed", "note")
    list_filter = ("passed",)


@admin.register(RectificationOrder)
class RectificationOrderAdmin(AuditedAdmin):
    list_display = ("id", "station", "responsible_party", "deadline", "status", "closed_at")
    list_filter = ("status", "responsible_party", "station")
    date_hierarchy = "deadline"


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin):
    list_display = ("held_on", "title", "unit")
    date_hierarchy = "held_on"
    inlines = [ActionItemInline]


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ("name", "unit")
    filter_horizontal = ("members",)


@admin.register(Activity)
class ActivityAdmin(AuditedAdmin):
    list_display = ("title", "team", "station", "starts_at", "capacity")
    list_filter = ("team", "station")
    date_hierarchy = "starts_at"


@admin.register(SignUp)
class SignUpAdmin(AuditedAdmin):
    list_display = ("activity", "user", "hours", "confirmed_by", "created")
