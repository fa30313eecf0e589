"""Verification: ``renkou contracts verify CODE`` and the public page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from renkou.contracts import actions
from renkou.contracts.models import Contract, ContractStatus

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("contracts", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def test_a_valid_code_exits_0_with_the_header(issued) -> None:
    code, output = run("verify", str(issued.code))
    assert code == 0
    assert "有效" in output
    assert "澄江街道" in output and "黄岩区" in output
    assert "第1版" in output and "已下达" in output


def test_the_code_may_be_typed_loosely(issued) -> None:
    assert run("verify", str(issued.code).lower().replace("-", " "))[0] == 0


def test_an_unknown_code_exits_1(issued) -> None:
    code, output = run("verify", "RK-2222-3333-4444")
    assert code == 1
    assert "没有登记" in output


def test_a_bad_code_exits_2(issued) -> None:
    code, output = run("verify", "hello")
    assert code == 2
    assert "格式" in output


def test_a_tampered_stored_pdf_exits_1(issued) -> None:
    Contract.objects.filter(pk=issued.pk).update(pdf=b"%PDF-1.7 forged")
    code, output = run("verify", str(issued.code))
    assert code == 1
    assert "不符" in output


def test_a_file_is_compared_with_the_stored_pdf(issued, tmp_path) -> None:
    good = tmp_path / "good.pdf"
    good.write_bytes(bytes(Contract.objects.get(pk=issued.pk).pdf))
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(good.read_bytes() + b"\n% changed")
    assert run("verify", str(issued.code), "--file", str(good))[0] == 0
    assert run("verify", str(issued.code), "--file", str(bad))[0] == 1
    assert run("verify", str(issued.code), "--file", str(tmp_path / "missing.pdf"))[0] == 2


def test_a_draft_has_no_valid_code(drafted) -> None:
    assert run("verify", "RK-2222-3333-4444")[0] == 1


def test_store_pdfs_renders_bulk_issued_contracts(personas, drafted) -> None:
    actions.do_issue_contracts(acting_user=personas.county, issuer=drafted.issuer, year=2026)
    code, output = run("store-pdfs", "--year", "2026")
    assert code == 0 and "4份" in output
    assert not Contract.objects.filter(sha256="").exists()
    assert run("store-pdfs")[1].startswith("已生成并存档0份")


# --- the public page --------------------------------------------------------


def test_the_verify_page_needs_no_login() -> None:
    response = Client().get("/contracts/verify/")
    assert response.status_code == 200
    assert "责任书真伪核验" in response.content.decode()


def test_the_form_goes_to_the_code_page(issued) -> None:
    client = Client()
    response = client.post("/contracts/verify/", {"code": str(issued.code).lower()})
    assert response.status_code == 302
    assert response["Location"] == f"/contracts/verify/{issued.code}/"


def test_a_bad_code_in_the_form_gets_a_message(db) -> None:
    response = Client().post("/contracts/verify/", {"code": "123"})
    assert response.status_code == 400
    assert "验证码格式不对" in response.content.decode()


def test_a_valid_code_shows_the_header_only(issued) -> None:
    response = Client().get(f"/contracts/verify/{issued.code}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "有效：平台登记的责任书" in page
    assert "澄江街道" in page and "黄岩区" in page and "第1版" in page
    # Nothing from the body of the contract.
    assert "出生人口性别比" not in page
    assert "一票否决" not in page


def test_an_unknown_code_says_so(db) -> None:
    response = Client().get("/contracts/verify/RK-2222-3333-4444/")
    assert response.status_code == 404
    assert "没有登记过" in response.content.decode()


def test_a_malformed_code_in_the_address_is_a_400(db) -> None:
    assert Client().get("/contracts/verify/not-a-code/").status_code == 400


def test_uploading_the_original_matches(issued) -> None:
    data = bytes(Contract.objects.get(pk=issued.pk).pdf)
    response = Client().post(
        f"/contracts/verify/{issued.code}/",
        {"file": SimpleUploadedFile("c.pdf", data, content_type="application/pdf")},
    )
    assert "一致：上传的文件与平台存档完全相同" in response.content.decode()


def test_uploading_a_tampered_pdf_does_not_match(issued) -> None:
    original = bytes(Contract.objects.get(pk=issued.pk).pdf)
    # One byte changed in the middle of the file.
    middle = len(original) // 2
    data = original[:middle] + bytes([original[middle] ^ 1]) + original[middle + 1 :]
    response = Client().post(
        f"/contracts/verify/{issued.code}/",
        {"file": SimpleUploadedFile("c.pdf", data, content_type="application/pdf")},
    )
    page = response.content.decode()
    assert "不一致" in page
    assert actions.sha256(data) in page


def test_uploading_something_else_gets_a_message(issued) -> None:
    response = Client().post(
        f"/contracts/verify/{issued.code}/",
        {"file": SimpleUploadedFile("c.pdf", b"hello", content_type="application/pdf")},
    )
    assert response.status_code == 200
    assert "这不是PDF文件" in response.content.decode()


def test_a_superseded_version_is_reported_as_such(personas, issued) -> None:
    amended = actions.do_amend_contract(acting_user=personas.county, contract=issued, reason="调整")
    actions.do_issue_contract(acting_user=personas.county, contract=amended)
    assert Contract.objects.get(pk=issued.pk).status == ContractStatus.SUPERSEDED
    page = Client().get(f"/contracts/verify/{issued.code}/").content.decode()
    assert "已被新版本替代" in page
