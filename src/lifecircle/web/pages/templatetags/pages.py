"""Template filters for the pages."""

from django import template

from lifecircle.store.requests.models import Status
from lifecircle.web.pages import common

register = template.Library()
register.filter("zh_en", common.zh_en)


@register.filter
def status_label(code: str) -> str:
    """A request state code in the current language."""
    return common.zh_en(dict(Status.choices).get(code, code))
