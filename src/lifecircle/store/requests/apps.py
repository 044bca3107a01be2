from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "lifecircle.store.requests"
    label = "requests"
    verbose_name = "居民诉求 Requests"
