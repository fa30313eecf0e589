from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkou.contracts import actions
from renkou.contracts.models import Contract, ContractStatus

UNKNOWN_OR_MISMATCH = 1
BAD_INPUT = 2


class Command(BaseCommand):
    help = (
        "目标责任状：verify 按验证码核验存档PDF的摘要；store-pdfs 生成尚未生成的PDF。"
        " Contracts: verify a code against the stored PDF; render missing PDFs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="核验验证码（退出码：0 有效，1 未登记或不一致，2 输入有误）"
        )
        verify.add_argument("code", help="责任书页脚的验证码，如 RK-7K3M-Q9TZ-2HXA")
        verify.add_argument("--file", help="再核对手中的PDF文件与存档是否相同")
        store = sub.add_parser("store-pdfs", help="为批量下达、尚未生成PDF的责任状生成并存档PDF")
        store.add_argument("--year", type=int, help="只处理某一年度")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            self.verify(str(options["code"]), options.get("file"))
        else:
            self.store(options.get("year"))

    def verify(self, raw: str, file: str | None) -> None:
        code = actions.normalize_code(raw)
        if code is None:
            raise CommandError(
                f"验证码格式不对：{raw!r}（应为 RK-XXXX-XXXX-XXXX）", returncode=BAD_INPUT
            )
        uploaded: bytes | None = None
        if file:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"找不到文件：{file}", returncode=BAD_INPUT)
            uploaded = path.read_bytes()
        contract = (
            Contract.objects.select_related("issuer", "recipient")
            .exclude(status=ContractStatus.DRAFTED)
            .filter(code=code)
            .first()
        )
        if contract is None:
            raise CommandError(f"无效：验证码 {code} 没有登记过。", returncode=UNKNOWN_OR_MISMATCH)
        if not contract.sha256:
            contract = actions.do_store_contract_pdf(acting_user=None, contract=contract)
        stored = Contract.objects.only("pdf", "sha256").get(pk=contract.pk)
        actual = actions.sha256(bytes(stored.pdf))
        lines = [
            f"验证码：{code}",
            f"标题：{contract.recipient.name}{contract.title}",
            f"甲方：{contract.issuer.name}　乙方：{contract.recipient.name}",
            f"版本：第{contract.version}版　状态：{contract.get_status_display()}",
            f"SHA-256：{stored.sha256}",
        ]
        if actual != stored.sha256:
            self.stdout.write("\n".join(lines))
            raise CommandError(
                f"无效：存档PDF的摘要与登记不符（实际 {actual}）。", returncode=UNKNOWN_OR_MISMATCH
            )
        if uploaded is not None and actions.sha256(uploaded) != stored.sha256:
            self.stdout.write("\n".join(lines))
            raise CommandError(
                f"无效：文件 {file} 与存档PDF不同（摘要 {actions.sha256(uploaded)}）。",
                returncode=UNKNOWN_OR_MISMATCH,
            )
        self.stdout.write("有效 valid")
        self.stdout.write("\n".join(lines))
        if uploaded is not None:
            self.stdout.write(f"文件 {file} 与存档PDF完全相同。")

    def store(self, year: int | None) -> None:
        pending = Contract.objects.filter(sha256="").exclude(status=ContractStatus.DRAFTED)
        if year is not None:
            pending = pending.filter(year=year)
        count = 0
        for contract in pending.select_related("recipient").defer("pdf").order_by("id"):
            actions.do_store_contract_pdf(acting_user=None, contract=contract)
            count += 1
        self.stdout.write(f"已生成并存档{count}份责任状PDF。")
