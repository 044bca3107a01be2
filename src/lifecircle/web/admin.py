"""The Django admin for back-office data; every save and delete there is audited too."""

from django.contrib import admin
from django.db import transaction

from lifecircle.ops.access import Actor, mask_phone
from lifecircle.ops.audit import record, snapshot
from lifecircle.store.inspections import models as inspections
from lifecircle.store.org.models import ApiKey, AuditEntry, OrgUnit, RoleGrant
from lifecircle.store.requests.models import RequestEvent, ServiceRequest
from lifecircle.store.roster import models as roster
from lifecircle.store.stations.models import (
    CatalogueItem,
    Room,
    ServiceAttribute,
    ServiceCategory,
    Station,
)
from lifecircle.store.volunteers import models as volunteers


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            action = "admin.change" if change else "admin.add"
            record(Actor.of(request.user), action, obj, before=before, unit=None, note="admin")

    def delete_model(self, request, obj):
        with transaction.atomic():
            before, pk = snapshot(obj), obj.pk
            super().delete_model(request, obj)
            obj.pk = pk
            record(
                Actor.of(request.user), "admin.delete", obj, before=before, unit=None, deleted=True
            )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted here."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class AttributeInline(admin.TabularInline):
    model = ServiceAttribute
    extra = 0


class CatalogueInline(admin.TabularInline):
    model = CatalogueItem
    extra = 0


@admin.register(OrgUnit)
class OrgUnitAdmin(AuditedAdmin):
    list_display = ("name", "kind", "parent", "path")
    list_filter = ("kind",)


@admin.register(RoleGrant)
class RoleGrantAdmin(AuditedAdmin):
    list_display = ("user", "role", "unit")
    list_filter = ("role",)


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedAdmin):
    list_display = ("name", "unit", "user", "active", "created")


@admin.register(Station)
class StationAdmin(AuditedAdmin):
    list_display = ("name", "address", "opening_hours", "floor_area_m2", "active")
    inlines = [CatalogueInline]


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(AuditedAdmin):
    list_display = ("code", "name_zh", "name_en", "group", "sla_hours", "active")
    inlines = [AttributeInline]


class EventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor_label", "from_status", "to_status", "note")
    exclude = ("actor",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    """Read-only here: requests change only through their workflow (API and pages); the phone
    number is masked, as for everyone who does not handle the request."""

    exclude = ("phone",)
    readonly_fields = ("masked_phone",)

    list_display = (
        "id",
        "station",
        "category",
        "status",
        "channel",
        "requested_datetime",
        "expected_datetime",
    )
    list_filter = ("status", "channel", "category")
    inlines = [EventInline]

    @admin.display(description="电话 phone")
    def masked_phone(self, obj) -> str:
        return mask_phone(obj.phone)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log can be read, never changed or deleted."""

    list_display = ("at", "actor_label", "action", "model", "object_id")
    list_filter = ("action", "model")
    search_fields = ("object_id", "actor_label")


for model in (
    roster.Holiday,
    roster.RotationPlan,
    roster.DutyAssignment,
    roster.SwapRequest,
    inspections.ChecklistTemplate,
    inspections.ChecklistItem,
    inspections.InspectionPlan,
    inspections.InspectionTask,
    inspections.RectificationOrder,
    inspections.Meeting,
    inspections.ActionItem,
    volunteers.Team,
    volunteers.Activity,
    volunteers.SignUp,
    Room,
):
    admin.site.register(model, AuditedAdmin)
