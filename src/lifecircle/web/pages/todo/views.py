"""To-do (待办): what waits on the signed-in user, and how they want to be told."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifecircle.ops import notices
from lifecircle.ops.todo import KIND_LABELS, todo_for
from lifecircle.web.pages.common import actor, perform, zh_en


def labelled(items) -> list:
    """The to-do items with their kind's label in the current language."""
    return [(zh_en(KIND_LABELS[t.kind]), t) for t in items]


@login_required
def todo(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    return render(
        request,
        "pages/todo/todo.html",
        {
            "items": labelled(todo_for(who)),
            "preference": notices.preference_of(request.user),
            "recent": request.user.notices.all()[:10],
        },
    )


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    """The caller's own channels (e-mail, SMS with a phone number)."""
    who = actor(request)
    return perform(
        request,
        lambda: notices.set_preference(
            who,
            by_email=request.POST.get("by_email") == "on",
            by_sms=request.POST.get("by_sms") == "on",
            phone=request.POST.get("phone", ""),
        ),
        _("Notification settings saved."),
        "/todo/#preferences",
    )
