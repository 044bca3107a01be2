"""自治项目: the public list and each project's public account (totals by source, spending,
balance); committee staff also see the individual contributions."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from lifecircle.ops import projects as ops
from lifecircle.ops.access import MANAGERS
from lifecircle.ops.errors import NotFound
from lifecircle.store.projects.models import STAGE_ORDER, Stage
from lifecircle.web.pages.common import actor, zh_en


def project_list(request: HttpRequest) -> HttpResponse:
    items = list(ops.public_projects())
    for p in items:
        p.account = ops.public_account(p)
    return render(request, "pages/projects/list.html", {"projects": items})


def project_page(request: HttpRequest, project_id: int) -> HttpResponse:
    try:
        item = ops.project(project_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    who = actor(request)
    staff = who.has(MANAGERS, item.unit)
    reached = STAGE_ORDER.index(item.stage)
    stages = [
        {"label": zh_en(label), "done": i <= reached, "current": i == reached}
        for i, (_, label) in enumerate(Stage.choices)
    ]
    return render(
        request,
        "pages/projects/detail.html",
        {
            "project": item,
            "account": ops.public_account(item),
            "stages": stages,
            "contributions": ops.contributions(who, item.pk) if staff else None,
        },
    )
