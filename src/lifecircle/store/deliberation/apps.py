from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "lifecircle.store.deliberation"
    label = "deliberation"
    verbose_name = "公共议事 Deliberation"
