"""公共议事: proposals (public list, detail with comments and supports), new proposals by signed-in
residents or staff, and the public accountability page of decisions and their action items."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lifecircle.ops import deliberation as ops
from lifecircle.ops.errors import NotFound, OpsError
from lifecircle.store.org.models import OrgUnit
from lifecircle.web.pages.common import actor, perform, scoped


def _proposal(proposal_id: int):
    try:
        return ops.proposal(proposal_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


def proposal_list(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/deliberation/list.html", {"proposals": ops.public_proposals()})


def proposal_page(request: HttpRequest, proposal_id: int) -> HttpResponse:
    item = _proposal(proposal_id)
    return render(
        request,
        "pages/deliberation/detail.html",
        {
            "proposal": item,
            "comments": item.comments.select_related("author"),
            "decisions": [d for d in ops.accountability() if d["decision"].proposal_id == item.pk],
        },
    )


def proposal_photo(request: HttpRequest, proposal_id: int) -> FileResponse:
    item = _proposal(proposal_id)
    if not item.photo:
        raise Http404("没有照片 no photo")
    return FileResponse(item.photo.open("rb"))


@login_required
@scoped
def proposal_new(request: HttpRequest) -> HttpResponse:
    """A proposal on a unit where the caller has a role (a resident's 街道, a committee …)."""
    who = actor(request)
    units = [u for u in OrgUnit.objects.exclude(kind=OrgUnit.Kind.STATION) if who.roles_on(u)]
    if request.method == "POST":
        try:
            item = ops.create_proposal(
                who,
                int(request.POST.get("unit") or 0),
                title=request.POST.get("title", "").strip(),
                body=request.POST.get("body", "").strip(),
                place=request.POST.get("place", "").strip(),
                photo=request.FILES.get("photo"),
            )
        except NotFound:
            raise
        except OpsError as exc:
            return render(
                request,
                "pages/deliberation/new.html",
                {"units": units, "error": exc.message},
                status=exc.status,
            )
        return redirect("pages:proposal", proposal_id=item.pk)
    return render(request, "pages/deliberation/new.html", {"units": units})


@login_required
@require_POST
@scoped
def proposal_comment(request: HttpRequest, proposal_id: int) -> HttpResponse:
    back = f"/proposals/{proposal_id}/"
    return perform(
        request,
        lambda: ops.comment(actor(request), proposal_id, request.POST.get("body", "")),
        "评论已发布 comment posted",
        back,
    )


@login_required
@require_POST
@scoped
def proposal_support(request: HttpRequest, proposal_id: int) -> HttpResponse:
    back = f"/proposals/{proposal_id}/"
    return perform(
        request,
        lambda: ops.support(actor(request), proposal_id, request.POST.get("household", "")),
        "已支持 support recorded",
        back,
    )


def decisions(request: HttpRequest) -> HttpResponse:
    """Accountability: each decision and its action items, tracked to the end, in public."""
    return render(request, "pages/deliberation/decisions.html", {"items": ops.accountability()})
