from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "lifecircle.store.roster"
    label = "roster"
    verbose_name = "值班表 Duty roster"
