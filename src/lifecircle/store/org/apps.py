from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "lifecircle.store.org"
    label = "org"
    verbose_name = "组织与权限 Organisation"
