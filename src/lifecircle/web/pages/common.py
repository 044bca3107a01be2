"""What every page view shares: the caller as an Actor, and service errors mapped to HTTP."""

import re
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language

from lifecircle.ops.access import Actor
from lifecircle.ops.errors import Forbidden, NotFound, OpsError

_CJK = re.compile(r"[\u3400-\u9fff]")


def actor(request: HttpRequest) -> Actor:
    return Actor.of(request.user)


def scoped(view: Callable) -> Callable:
    """A record outside the caller's scope is a 404, a forbidden action a 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None

    return wrapper


def perform(request: HttpRequest, change: Callable[[], object], done: str, back: str):
    """Run one service call for a form post: success or the service's message, then go back.

    NotFound and Forbidden propagate (the `scoped` wrapper turns them into 404 and 403); a
    refused change (invalid field, stale version, wrong state) is shown on the page it came from.
    """
    try:
        change()
    except (NotFound, Forbidden):
        raise
    except OpsError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, done)
    return redirect(back)


def zh_en(label: object) -> str:
    """The current language's half of a bilingual label ("已受理 received")."""
    text = str(label)
    head, sep, tail = text.partition(" ")
    if not sep or not _CJK.search(head) or _CJK.search(tail):
        return text
    return head if (get_language() or "zh-hans").startswith("zh") else tail


def choices(pairs) -> list[tuple[str, str]]:
    """Model choices with each label in the current language."""
    return [(value, zh_en(label)) for value, label in pairs]
