"""The contract workflow: draft → issue → acknowledge → amend, with its rules."""

from __future__ import annotations

import pytest

from renkou.audit.models import AuditEvent
from renkou.contracts import actions
from renkou.contracts.access import ContractError
from renkou.contracts.models import Contract, ContractStatus
from renkou.contracts.selectors import contract_issued
from renkou.orgunits.models import OrgUnit

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def audit_rows(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def test_drafting_writes_one_contract_per_township_from_targets_and_scheme(drafted) -> None:
    contracts = Contract.objects.filter(year=YEAR, issuer__code="331003")
    # The fixture county 黄岩区 has four townships.
    assert sorted(c.recipient.code for c in contracts) == [
        "331003001",
        "331003006",
        "331003101",
        "331003200",
    ]
    assert all(c.status == ContractStatus.DRAFTED and c.version == 1 for c in contracts)
    content = drafted.content
    assert content["title"] == "2026年度人口家庭工作目标管理责任书"
    assert content["issuer"]["name"] == "黄岩区"
    assert content["recipient"]["name"] == "澄江街道"
    births = next(i for i in content["items"] if i["code"] == "births")
    assert births["target"] == "420"
    assert "85%" in births["rule"] and "每偏离5扣0.5分" in births["rule"]
    registration = next(i for i in content["items"] if i["code"] == "registration")
    assert registration["rule"] == "生育登记服务率达到95%得10分，每低0.1个百分点扣0.3分，扣完为止。"
    assert content["vetoes"] == ["统计数据弄虚作假", "总分低于60分"]
    assert "考核等级为优秀的，绩效报酬系数为1.2" in content["pay"]
    assert len(audit_rows("contracts.draft")) == 1


def test_drafting_again_refreshes_drafts_and_leaves_issued_ones(personas, issued) -> None:
    county = OrgUnit.objects.get(code="331003")
    summary = actions.do_draft_contracts(acting_user=personas.county, issuer=county, year=YEAR)
    assert (summary.created, summary.refreshed, summary.skipped) == (0, 3, 1)
    assert Contract.objects.filter(recipient__code="331003006", year=YEAR).count() == 1


def test_a_village_has_no_units_to_draft_for(personas) -> None:
    village = OrgUnit.objects.get(code="331003006200")
    with pytest.raises(ContractError):
        actions.do_draft_contracts(acting_user=personas.county, issuer=village, year=YEAR)
    assert not Contract.objects.exists()


def test_issuing_fixes_code_pdf_and_hash_and_is_audited(issued) -> None:
    issued.refresh_from_db()
    assert issued.status == ContractStatus.ISSUED
    assert issued.code is not None and actions.normalize_code(issued.code) == issued.code
    assert bytes(issued.pdf).startswith(b"%PDF")
    assert issued.sha256 == actions.sha256(bytes(issued.pdf))
    assert issued.issued_at is not None
    [event] = audit_rows("contracts.issue")
    assert event.changes["code"] == issued.code
    assert contract_issued(issued.recipient_id, YEAR)
    assert not contract_issued(issued.recipient_id, YEAR + 1)


def test_contract_issued_is_false_for_drafts(drafted) -> None:
    assert not contract_issued(drafted.recipient_id, YEAR)


def test_an_issued_contract_cannot_be_issued_again(personas, issued) -> None:
    with pytest.raises(ContractError):
        actions.do_issue_contract(acting_user=personas.county, contract=issued)
    assert len(audit_rows("contracts.issue")) == 1


def test_issuing_all_drafts_leaves_pdfs_to_the_first_download(personas, drafted) -> None:
    county = OrgUnit.objects.get(code="331003")
    count = actions.do_issue_contracts(acting_user=personas.county, issuer=county, year=YEAR)
    assert count == 4
    assert not Contract.objects.filter(status=ContractStatus.DRAFTED).exists()
    assert set(Contract.objects.values_list("sha256", flat=True)) == {""}
    assert len(audit_rows("contracts.issue_all")) == 1
    with pytest.raises(ContractError):
        actions.do_issue_contracts(acting_user=personas.county, issuer=county, year=YEAR)
    contract = Contract.objects.get(recipient__code="331003006")
    stored = actions.do_store_contract_pdf(acting_user=personas.county, contract=contract)
    assert stored.sha256 == actions.sha256(bytes(stored.pdf))
    assert len(audit_rows("contracts.store_pdf")) == 1
    # Storing again changes nothing and writes nothing.
    again = actions.do_store_contract_pdf(acting_user=personas.county, contract=contract)
    assert again.sha256 == stored.sha256
    assert len(audit_rows("contracts.store_pdf")) == 1


def test_the_recipient_acknowledges_with_name_time_and_address(personas, issued) -> None:
    actions.do_acknowledge_contract(
        acting_user=personas.chengjiang, contract=issued, signer_name="  陈  专干 ", ip="10.1.2.3"
    )
    issued.refresh_from_db()
    assert issued.status == ContractStatus.ACKNOWLEDGED
    assert issued.signer_name == "陈 专干"
    assert issued.acknowledged_ip == "10.1.2.3"
    assert issued.acknowledged_by == personas.chengjiang
    assert issued.acknowledged_at is not None
    [event] = audit_rows("contracts.acknowledge")
    assert event.ip == "10.1.2.3"
    assert event.changes["signer_name"] == "陈 专干"


@pytest.mark.parametrize("who", ["county", "dongcheng", "village", "leader"])
def test_only_the_recipient_unit_can_acknowledge(personas, issued, who) -> None:
    with pytest.raises(ContractError):
        actions.do_acknowledge_contract(
            acting_user=getattr(personas, who), contract=issued, signer_name="某人", ip=None
        )
    issued.refresh_from_db()
    assert issued.status == ContractStatus.ISSUED
    assert not audit_rows("contracts.acknowledge")


@pytest.mark.parametrize("name", ["", "   ", "长" * 51])
def test_acknowledging_needs_a_typed_name(personas, issued, name) -> None:
    with pytest.raises(ContractError):
        actions.do_acknowledge_contract(
            acting_user=personas.chengjiang, contract=issued, signer_name=name, ip=None
        )
    issued.refresh_from_db()
    assert issued.status == ContractStatus.ISSUED


def test_a_draft_cannot_be_acknowledged_nor_signed_twice(personas, drafted) -> None:
    with pytest.raises(ContractError):
        actions.do_acknowledge_contract(
            acting_user=personas.chengjiang, contract=drafted, signer_name="陈", ip=None
        )
    actions.do_issue_contract(acting_user=personas.county, contract=drafted)
    actions.do_acknowledge_contract(
        acting_user=personas.chengjiang, contract=drafted, signer_name="陈", ip=None
    )
    with pytest.raises(ContractError):
        actions.do_acknowledge_contract(
            acting_user=personas.chengjiang, contract=drafted, signer_name="陈", ip=None
        )
    assert len(audit_rows("contracts.acknowledge")) == 1


def test_amending_keeps_the_old_version_until_the_new_one_is_issued(personas, issued) -> None:
    actions.do_acknowledge_contract(
        acting_user=personas.chengjiang, contract=issued, signer_name="陈", ip=None
    )
    old_pdf = bytes(Contract.objects.get(pk=issued.pk).pdf)
    amended = actions.do_amend_contract(
        acting_user=personas.county, contract=issued, reason="出生目标按新测算调整"
    )
    assert amended.version == 2
    assert amended.status == ContractStatus.DRAFTED
    assert amended.supersedes_id == issued.pk
    assert amended.amendment_reason == "出生目标按新测算调整"
    issued.refresh_from_db()
    assert issued.status == ContractStatus.ACKNOWLEDGED  # still in force
    [event] = audit_rows("contracts.amend")
    assert event.reason == "出生目标按新测算调整"
    # A second amendment while one is pending is refused.
    with pytest.raises(ContractError):
        actions.do_amend_contract(acting_user=personas.county, contract=issued, reason="再改")

    actions.do_issue_contract(acting_user=personas.county, contract=amended)
    issued.refresh_from_db()
    assert issued.status == ContractStatus.SUPERSEDED
    assert bytes(issued.pdf) == old_pdf
    assert issued.sha256 == actions.sha256(old_pdf)
    assert amended.code != issued.code
    assert contract_issued(issued.recipient_id, YEAR)
    # The new version is signed again.
    actions.do_acknowledge_contract(
        acting_user=personas.chengjiang, contract=amended, signer_name="陈", ip=None
    )
    assert Contract.objects.filter(recipient=issued.recipient).count() == 2


@pytest.mark.parametrize("reason", ["", "   "])
def test_amending_needs_a_reason(personas, issued, reason) -> None:
    with pytest.raises(ContractError):
        actions.do_amend_contract(acting_user=personas.county, contract=issued, reason=reason)
    assert Contract.objects.filter(recipient=issued.recipient).count() == 1


def test_a_draft_is_changed_by_drafting_again_not_by_amendment(personas, drafted) -> None:
    with pytest.raises(ContractError):
        actions.do_amend_contract(acting_user=personas.county, contract=drafted, reason="改")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("RK-7K3M-Q9TZ-2HXA", "RK-7K3M-Q9TZ-2HXA"),
        ("rk 7k3m q9tz 2hxa", "RK-7K3M-Q9TZ-2HXA"),
        ("7K3MQ9TZ2HXA", "RK-7K3M-Q9TZ-2HXA"),
        ("RK-OOII-LL00-2HXA", "RK-0011-1100-2HXA"),
        ("RK-7K3M-Q9TZ", None),
        ("RK-7K3M-Q9TZ-2HXU", None),
        ("'; drop table", None),
        ("", None),
    ],
)
def test_codes_are_read_forgivingly(raw: str, expected: str | None) -> None:
    assert actions.normalize_code(raw) == expected


def test_new_codes_are_well_formed_and_unambiguous() -> None:
    for _ in range(50):
        code = actions.new_code()
        assert actions.normalize_code(code) == code
        assert not set(code[3:].replace("-", "")) & set("ILOU")
