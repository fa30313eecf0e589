from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from renkou.cli import main


def test_help_lists_renkous_own_commands_with_dashes(capsys):
    main(["renkou", "help"])
    out = capsys.readouterr().out
    for command in ["import-divisions", "demo", "worker"]:
        assert f"  {command} " in out
    assert "migrate" not in out  # Django's own commands only with --all


def test_a_bad_file_exits_non_zero_with_a_one_line_reason(tmp_path: Path):
    source = tmp_path / "x.csv"
    source.write_text("code,title\n33,浙江省\n", encoding="utf-8")
    env = {**os.environ, "RENKOU_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": ""}
    env.pop("DATABASE_URL")
    result = subprocess.run(
        [sys.executable, "-m", "renkou.cli", "import-divisions", str(source)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode != 0
    assert "缺少列" in result.stderr
    assert "Traceback" not in result.stderr
