from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "运行后台任务（导入、计算等）。Run the background job worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help="处理完队列中的任务后退出 (exit when the queue is empty)",
        )
        parser.add_argument("--interval", type=float, default=1.0, help="轮询间隔（秒）")

    def handle(self, *args: Any, **options: Any) -> None:
        worker_args = ["--interval", str(options["interval"])]
        if options["batch"]:
            worker_args += ["--batch", "--no-startup-delay"]
        call_command("db_worker", *worker_args)
