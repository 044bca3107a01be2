from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "lifecircle.web.pages"
    label = "pages"
    verbose_name = "页面 pages"
