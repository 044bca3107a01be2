from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "lifecircle.store.stations"
    label = "stations"
    verbose_name = "驿站与服务清单 Stations"
