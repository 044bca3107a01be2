from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "lifecircle.store.inspections"
    label = "inspections"
    verbose_name = "安全检查 Inspections"
