from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "lifecircle.store.volunteers"
    label = "volunteers"
    verbose_name = "志愿服务 Volunteers"
