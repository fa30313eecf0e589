"""Pages of responsibility contracts: the issuer's list, a contract with its
versions, the recipient's acknowledgement, the board of who has not signed,
and the public verification page."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from renkou.accounts.access import Cap, has_capability, in_scope, require
from renkou.accounts.middleware import client_ip
from renkou.contracts import actions, document, selectors
from renkou.contracts.access import (
    ContractError,
    get_contract_for_user,
    get_contract_to_acknowledge,
    get_issuer_for_user,
    on_issuer_side,
)
from renkou.contracts.forms import AcknowledgeForm, AmendForm, PdfCheckForm, VerifyForm, YearForm
from renkou.contracts.models import Contract, ContractStatus
from renkou.http import acting_user, is_htmx
from renkou.orgunits.models import Level, OrgUnit

NAV = "contracts"


def _year(request: HttpRequest, default: int | None = None) -> int:
    form = YearForm(request.GET if request.method == "GET" else request.POST)
    if form.is_valid() and form.cleaned_data.get("year"):
        return int(form.cleaned_data["year"])
    return default or timezone.localdate().year


def _errors(form: Any) -> str:
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


def _back_to_list(issuer: OrgUnit, year: int) -> HttpResponseRedirect:
    response = redirect("contracts:home")
    response["Location"] += f"?year={year}&issuer={issuer.code}"
    return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The issuer's list of contracts for a year (a village goes to its own)."""
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    if user.home_unit is not None and user.home_unit.level >= Level.VILLAGE:
        return redirect("contracts:mine")
    issuer = get_issuer_for_user(user, request.GET.get("issuer"))
    years = selectors.contract_years(user)
    year = _year(request, years[0] if years else None)
    contracts = {c.recipient_id: c for c in selectors.current_contracts(year, issuer)}
    rows = [(unit, contracts.get(unit.pk)) for unit in selectors.child_units(issuer)]
    counts = dict.fromkeys(ContractStatus.values, 0)
    for contract in contracts.values():
        counts[contract.status] += 1
    counts["missing"] = sum(1 for _unit, c in rows if c is None)
    issuers = []
    if user.home_unit is not None and user.home_unit.level < Level.TOWNSHIP:
        issuers = list(
            OrgUnit.objects.filter(parent=user.home_unit, level=Level.TOWNSHIP).order_by("code")
        )
    context = {
        "nav_active": NAV,
        "ct_tab": "list",
        "issuer": issuer,
        "year": year,
        "years": sorted(set(years) | {year, timezone.localdate().year}, reverse=True),
        "rows": rows,
        "counts": counts,
        "can_issue": has_capability(user, Cap.ISSUE_CONTRACTS) and in_scope(user, issuer),
        "issuers": issuers,
        "home_unit": user.home_unit,
        "mine": selectors.my_contracts(user)[:3],
    }
    if is_htmx(request):
        return render(request, "contracts/_partials/contract_rows.html", context)
    return render(request, "contracts/list.html", context)


@login_required
@require_POST
def draft(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    issuer = get_issuer_for_user(user, request.POST.get("issuer"), write=True)
    year = _year(request)
    try:
        summary = actions.do_draft_contracts(acting_user=user, issuer=issuer, year=year)
    except ContractError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "已起草%(created)d份、更新%(refreshed)d份草稿；%(skipped)d份已下达的未改动（如需修改请修订）。"
            )
            % {
                "created": summary.created,
                "refreshed": summary.refreshed,
                "skipped": summary.skipped,
            },
        )
    return _back_to_list(issuer, year)


@login_required
@require_POST
def issue_all(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    issuer = get_issuer_for_user(user, request.POST.get("issuer"), write=True)
    year = _year(request)
    try:
        count = actions.do_issue_contracts(acting_user=user, issuer=issuer, year=year)
    except ContractError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已下达%(count)d份责任状，等待各单位签收。") % {"count": count})
    return _back_to_list(issuer, year)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    contract = get_contract_for_user(user, pk)
    issuer_side = on_issuer_side(user, contract)
    may_write = issuer_side and has_capability(user, Cap.ISSUE_CONTRACTS)
    may_sign = (
        contract.status == ContractStatus.ISSUED
        and user.home_unit_id == contract.recipient_id
        and has_capability(user, Cap.ACKNOWLEDGE_CONTRACTS)
    )
    versions = selectors.versions_of(contract)
    if not issuer_side:
        versions = [v for v in versions if v.status != ContractStatus.DRAFTED]
    pending_amendment = next(
        (
            v
            for v in versions
            if v.supersedes_id == contract.pk and v.status == ContractStatus.DRAFTED
        ),
        None,
    )
    return render(
        request,
        "contracts/detail.html",
        {
            "nav_active": NAV,
            "contract": contract,
            "c": contract.content,
            "versions": versions,
            "may_issue": may_write and contract.status == ContractStatus.DRAFTED,
            "may_amend": may_write
            and contract.status in (ContractStatus.ISSUED, ContractStatus.ACKNOWLEDGED)
            and pending_amendment is None,
            "pending_amendment": pending_amendment,
            "may_sign": may_sign,
            "ack_form": AcknowledgeForm(initial={"signer_name": user.full_name}),
            "amend_form": AmendForm(),
            "issuer_side": issuer_side,
            "issued_zh": document.date_zh(
                timezone.localtime(contract.issued_at).date() if contract.issued_at else None
            ),
        },
    )


def _download(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored PDF (rendered and fingerprinted on first download when it was
    issued in bulk); a draft is rendered as a preview and not stored."""
    user = acting_user(request)
    contract = get_contract_for_user(user, pk)
    name = f"{contract.recipient.name}{contract.year}年度目标责任书（第{contract.version}版"
    if contract.status == ContractStatus.DRAFTED:
        return _download(document.render_pdf(contract), name + "·草稿）.pdf")
    stored = Contract.objects.only("pdf", "sha256").get(pk=contract.pk)
    if not stored.sha256:
        stored = actions.do_store_contract_pdf(acting_user=user, contract=contract)
    return _download(bytes(stored.pdf), name + "）.pdf")


@login_required
@require_POST
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    contract = get_contract_for_user(user, pk, write=True)
    try:
        actions.do_issue_contract(acting_user=user, contract=contract)
    except ContractError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("责任状已下达，验证码 %(code)s。") % {"code": contract.code})
    return redirect("contracts:detail", contract.pk)


@login_required
@require_POST
def amend(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    contract = get_contract_for_user(user, pk, write=True)
    form = AmendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("contracts:detail", contract.pk)
    try:
        amended = actions.do_amend_contract(
            acting_user=user, contract=contract, reason=form.cleaned_data["reason"]
        )
    except ContractError as error:
        messages.error(request, error.message)
        return redirect("contracts:detail", contract.pk)
    messages.success(
        request, _("已起草修订稿（第%(v)d版），下达后原版本作废。") % {"v": amended.version}
    )
    return redirect("contracts:detail", amended.pk)


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    contract = get_contract_to_acknowledge(user, pk)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("contracts:detail", contract.pk)
    try:
        actions.do_acknowledge_contract(
            acting_user=user,
            contract=contract,
            signer_name=form.cleaned_data["signer_name"],
            ip=client_ip(request),
        )
    except ContractError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已签收。签收人、时间和地址已记录。"))
    return redirect("contracts:detail", contract.pk)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The contracts addressed to the user's own unit."""
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    return render(
        request,
        "contracts/mine.html",
        {
            "nav_active": NAV,
            "ct_tab": "mine",
            "contracts": selectors.my_contracts(user),
            "can_sign": has_capability(user, Cap.ACKNOWLEDGE_CONTRACTS),
        },
    )


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """Who has not yet acknowledged, per issuing unit, oldest first."""
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    years = selectors.contract_years(user)
    year = _year(request, years[0] if years else None)
    rows = selectors.acknowledgement_board(user, year)
    sent = sum(r.issued + r.acknowledged for r in rows)
    signed = sum(r.acknowledged for r in rows)
    return render(
        request,
        "contracts/board.html",
        {
            "nav_active": NAV,
            "ct_tab": "board",
            "year": year,
            "years": sorted(set(years) | {year}, reverse=True),
            "rows": rows,
            "sent": sent,
            "signed": signed,
            "pending": sent - signed,
            "percent": round(100 * signed / sent) if sent else 0,
        },
    )


# --- public verification -----------------------------------------------------


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone holding a printed contract can check it here, without signing in."""
    data = request.POST if request.method == "POST" else None
    if request.method == "GET" and "code" in request.GET:
        data = request.GET
    form = VerifyForm(data)
    if data is None:
        return render(request, "contracts/verify.html", {"form": form, "ct_tab": "verify"})
    if form.is_valid():
        return redirect("contracts:verify_code", form.cleaned_data["code"])
    return render(request, "contracts/verify.html", {"form": form, "ct_tab": "verify"}, status=400)


def _public_header(contract: Contract) -> dict[str, Any]:
    """What the public page may show: the document's header, nothing else."""
    content = contract.content
    current = contract.status != ContractStatus.SUPERSEDED
    return {
        "title": content.get("title", ""),
        "issuer": content.get("issuer", {}).get("name", ""),
        "recipient": content.get("recipient", {}).get("name", ""),
        "year": contract.year,
        "version": contract.version,
        "status": contract.get_status_display(),
        "current": current,
        "issued_on": contract.issued_at,
        "acknowledged_on": contract.acknowledged_at,
        "sha256": contract.sha256,
    }


@require_http_methods(["GET", "POST"])
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    normalized = actions.normalize_code(code)
    if normalized is None:
        form = VerifyForm({"code": code})
        form.is_valid()
        return render(
            request, "contracts/verify.html", {"form": form, "ct_tab": "verify"}, status=400
        )
    if normalized != code:
        return redirect("contracts:verify_code", normalized)
    contract = (
        Contract.objects.select_related("recipient")
        .exclude(status=ContractStatus.DRAFTED)
        .filter(code=normalized)
        .first()
    )
    context: dict[str, Any] = {
        "code": normalized,
        "form": VerifyForm(initial={"code": normalized}),
        "ct_tab": "verify",
    }
    if contract is None:
        context["unknown"] = True
        return render(request, "contracts/verify.html", context, status=404)
    if not contract.sha256:
        contract = actions.do_store_contract_pdf(acting_user=None, contract=contract)
    stored = Contract.objects.only("pdf", "sha256").get(pk=contract.pk)
    context["header"] = _public_header(contract)
    context["intact"] = bool(stored.sha256) and actions.sha256(bytes(stored.pdf)) == stored.sha256
    check = PdfCheckForm()
    if request.method == "POST":
        check = PdfCheckForm(request.POST, request.FILES)
        if check.is_valid():
            uploaded = actions.sha256(check.cleaned_data["file"])
            context["uploaded_sha256"] = uploaded
            context["upload_matches"] = uploaded == stored.sha256
    context["check_form"] = check
    return render(request, "contracts/verify.html", context)
