from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "lifecircle.store.notify"
    label = "notify"
    verbose_name = "通知与验证码 Notices and one-time codes"
