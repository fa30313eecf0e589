"""The demo seed step for contracts, on the fixture piece of 黄岩区."""

from __future__ import annotations

import pytest

from renkou.contracts.demo import seed_contracts
from renkou.contracts.models import Contract, ContractStatus

pytestmark = pytest.mark.django_db


def test_seeding_issues_contracts_and_is_idempotent(personas) -> None:
    logs: list[str] = []
    seed_contracts(logs.append)
    y2025 = Contract.objects.filter(year=2025, issuer__code="331003")
    assert y2025.count() == 4
    assert set(y2025.values_list("status", flat=True)) == {ContractStatus.ACKNOWLEDGED}
    y2026 = Contract.objects.filter(year=2026, issuer__code="331003")
    assert y2026.count() == 4
    # The demo township is left for its officer to sign.
    assert y2026.get(recipient__code="331003006").status == ContractStatus.ISSUED
    assert y2026.filter(status=ContractStatus.ACKNOWLEDGED).count() == 3
    signed = y2026.filter(status=ContractStatus.ACKNOWLEDGED).first()
    assert signed is not None and signed.signer_name and signed.acknowledged_ip
    villages = Contract.objects.filter(year=2026, issuer__code="331003006")
    assert villages.count() == 3
    assert villages.get(recipient__code="331003006200").status == ContractStatus.ISSUED
    assert villages.filter(status=ContractStatus.ACKNOWLEDGED).exists()
    assert all(c.code for c in Contract.objects.all())
    total = Contract.objects.count()
    seed_contracts(logs.append)
    assert Contract.objects.count() == total
    assert logs[-1] == "目标责任状已存在，跳过。"


def test_a_seeded_contract_can_be_downloaded_and_verified(personas) -> None:
    seed_contracts(lambda _line: None)
    contract = Contract.objects.get(year=2026, recipient__code="331003006")
    client = personas.client(personas.chengjiang)
    pdf = b"".join(client.get(f"/contracts/{contract.pk}/pdf/"))
    assert pdf.startswith(b"%PDF")
    page = client.get(f"/contracts/verify/{contract.code}/").content.decode()
    assert "有效：平台登记的责任书" in page
