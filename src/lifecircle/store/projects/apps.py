from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "lifecircle.store.projects"
    label = "projects"
    verbose_name = "自治项目 Self-governance projects"
