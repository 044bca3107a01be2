from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "lifecircle.store.surveys"
    label = "surveys"
    verbose_name = "问卷 Surveys"
