"""Template filters for the pages."""

from django import template

from lifecircle.ops.access import WORKERS, Actor
from lifecircle.store.org.models import Party
from lifecircle.store.requests.models import Status
from lifecircle.web.pages import common

register = template.Library()
register.filter("zh_en", common.zh_en)


@register.filter
def status_label(code: str) -> str:
    """A request state code in the current language."""
    return common.zh_en(dict(Status.choices).get(code, code))


@register.filter
def party_label(code: str) -> str:
    """A party code (committee / owners / property) in the current language."""
    return common.zh_en(dict(Party.choices).get(code, code))


@register.filter
def get_item(mapping: dict, key):
    """mapping[key] in a template (None when absent)."""
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def works_here(context) -> bool:
    """Does the signed-in user work somewhere (staff or inspector), or only live here?"""
    user = context["request"].user
    return bool(Actor.of(user).paths(WORKERS))


@register.filter
def percent(share: float | None) -> str:
    """0.873 → "87.3%"; None (nothing to count) → "—"."""
    return "—" if share is None else f"{share * 100:.1f}%"
