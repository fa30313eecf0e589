"""The contract PDF: an official-style A4 document whose text can be extracted."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from renkou.contracts import document
from renkou.contracts.models import Contract

pytestmark = pytest.mark.django_db

MM = 72 / 25.4


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def test_the_pdf_names_the_parties_the_title_and_the_verification_code(issued) -> None:
    stored = Contract.objects.get(pk=issued.pk)
    text = pdf_text(bytes(stored.pdf))
    compact = "".join(text.split())
    assert "澄江街道" in compact
    assert "2026年度人口家庭工作目标管理责任书" in compact
    assert "甲方" in compact and "黄岩区" in compact
    assert "乙方" in compact
    assert stored.code is not None and stored.code in compact
    assert "/contracts/verify/" in compact
    assert "出生人口性别比" in compact
    assert "一票否决" in compact
    assert "绩效报酬系数为1.2" in compact
    # The issue date in Chinese numerals, as on an official document.
    assert document.date_zh(stored.issued_at.date()) in compact


def test_the_pdf_is_a4_with_page_numbers(issued) -> None:
    reader = PdfReader(io.BytesIO(bytes(Contract.objects.get(pk=issued.pk).pdf)))
    box = reader.pages[0].mediabox
    assert round(float(box.width) / MM) == 210
    assert round(float(box.height) / MM) == 297
    first = "".join((reader.pages[0].extract_text() or "").split())
    assert "—1—" in first


def test_rendering_is_deterministic_so_a_lazily_stored_pdf_is_the_issued_one(issued) -> None:
    stored = Contract.objects.get(pk=issued.pk)
    assert document.render_pdf(stored) == bytes(stored.pdf)


def test_page_one_renders_to_png(issued, tmp_path: Path) -> None:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    source = tmp_path / "contract.pdf"
    source.write_bytes(bytes(Contract.objects.get(pk=issued.pk).pdf))
    subprocess.run(
        [pdftoppm, "-r", "50", "-png", "-f", "1", "-l", "1", str(source), str(tmp_path / "page")],
        check=True,
    )
    [png] = list(tmp_path.glob("page*.png"))
    assert png.read_bytes().startswith(b"\x89PNG")
    keep = Path(__file__).resolve().parents[2] / "var" / "screenshots"
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copy(png, keep / "contract-pdf-page1.png")


@pytest.mark.parametrize(
    ("day", "text"),
    [
        ((2026, 1, 5), "二〇二六年一月五日"),
        ((2025, 10, 10), "二〇二五年十月十日"),
        ((2026, 12, 31), "二〇二六年十二月三十一日"),
        ((2030, 11, 20), "二〇三〇年十一月二十日"),
    ],
)
def test_dates_in_chinese_numerals(day: tuple[int, int, int], text: str) -> None:
    import datetime as dt

    assert document.date_zh(dt.date(*day)) == text
