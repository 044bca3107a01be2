"""The Django admin for back-office data; every save and delete there is audited too."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from lifecircle.ops.access import Actor, mask_phone
from lifecircle.ops.audit import snapshot
from lifecircle.store.deliberation import models as deliberation
from lifecircle.store.inspections import models as inspections
from lifecircle.store.org.models import ApiKey, AuditEntry, OrgUnit, RoleGrant
from lifecircle.store.projects import models as projects
from lifecircle.store.requests.models import RequestEvent, ServiceRequest
from lifecircle.store.roster import models as roster
from lifecircle.store.stations.models import (
    CatalogueItem,
    Room,
    ServiceAttribute,
    ServiceCategory,
    Station,
)
from lifecircle.store.surveys import models as surveys
from lifecircle.store.volunteers import models as volunteers

User = get_user_model()


SECRET_FIELDS = ("password", "key_hash")


def _snapshot(obj) -> dict:
    """The record as the audit log keeps it: many-to-many included, secrets never."""
    data = snapshot(obj)
    for field in obj._meta.many_to_many:
        data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    for name in SECRET_FIELDS:
        if name in data:
            data[name] = "(hidden)"
    return data


def _audit(request, action: str, obj, before: dict | None, after: dict | None) -> None:
    AuditEntry.objects.create(
        actor=request.user,
        actor_label=Actor.of(request.user).label,
        action=action,
        model=obj._meta.label_lower,
        object_id=str(obj.pk),
        before=before,
        after=after,
        note="admin",
    )


class AuditedMixin:
    """Every add, change (with many-to-many: groups, permissions) and delete made in the admin
    is written to the audit log in the same transaction, with secrets hidden."""

    def save_model(self, request, obj, form, change):
        request.audit_before = _snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        action = "admin.change" if change else "admin.add"
        _audit(request, action, obj, getattr(request, "audit_before", None), _snapshot(obj))

    def delete_model(self, request, obj):
        with transaction.atomic():
            before, pk = _snapshot(obj), obj.pk
            super().delete_model(request, obj)
            obj.pk = pk
            _audit(request, "admin.delete", obj, before, None)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class AuditedAdmin(AuditedMixin, admin.ModelAdmin):
    pass


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AuditedUserAdmin(AuditedMixin, UserAdmin):
    def user_change_password(self, request, id, form_url=""):
        """A password set here is audited too (that it changed, never the hash)."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            _audit(request, "admin.password", user, None, {"password": "(changed)"})
        return response


@admin.register(Group)
class AuditedGroupAdmin(AuditedMixin, GroupAdmin):
    pass


@admin.register(Permission)
class PermissionAdmin(AuditedAdmin):
    list_display = ("name", "codename", "content_type")
    search_fields = ("codename", "name")


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
    """Only the first characters of a key are ever shown; the key itself once, when made."""

    list_display = ("name", "prefix", "unit", "user", "active", "created")
    readonly_fields = ("prefix", "created")

    def save_model(self, request, obj, form, change):
        secret = None if change else obj.set_secret()
        super().save_model(request, obj, form, change)
        if secret:
            messages.warning(
                request,
                f"新密钥（只显示这一次，请立即保存）new key, shown only now: {secret}",
            )


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
    surveys.Survey,
    surveys.SurveyResponse,
    deliberation.Household,
    deliberation.Proposal,
    deliberation.Comment,
    deliberation.Support,
    deliberation.CouncilMeeting,
    deliberation.Decision,
    deliberation.OwnerVote,
    deliberation.DecisionAction,
    projects.Project,
    projects.BudgetLine,
    projects.Contribution,
    projects.Expense,
):
    admin.site.register(model, AuditedAdmin)
