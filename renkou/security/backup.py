"""Backups, restores and the restore drill an MLPS assessor asks to see.

A backup is a folder: a consistent snapshot of the database (SQLite's online
backup, or ``pg_dump`` from an exported snapshot on PostgreSQL), a copy of the
uploaded files, and ``manifest.json`` with a SHA-256 for every file and a row
count and checksum for every table, all taken from that same snapshot.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA_DIR = "media"


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class TableStat:
    rows: int
    checksum: str


def _normalise(value: Any) -> str:
    if isinstance(value, memoryview):
        value = bytes(value)
    return repr(value)


def table_stats(cursor: Any, tables: list[str], quote: str = '"') -> dict[str, TableStat]:
    """Row count and a checksum over every row (in a fixed order) of each table."""
    stats: dict[str, TableStat] = {}
    for table in sorted(tables):
        name = f"{quote}{table}{quote}"
        cursor.execute(f"SELECT * FROM {name} LIMIT 0")  # noqa: S608 - catalogue names
        width = len(cursor.description)
        order = ", ".join(str(i) for i in range(1, width + 1))
        cursor.execute(f"SELECT * FROM {name} ORDER BY {order}")  # noqa: S608
        digest = hashlib.sha256()
        rows = 0
        while batch := cursor.fetchmany(2000):
            for row in batch:
                digest.update("\x1f".join(_normalise(v) for v in row).encode("utf-8"))
                digest.update(b"\x1e")
                rows += 1
        stats[table] = TableStat(rows, digest.hexdigest())
    return stats


def sqlite_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return [row[0] for row in cursor.fetchall()]


def pg_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    )
    return [row[0] for row in cursor.fetchall()]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Manifest:
    vendor: str
    created_at: str
    files: dict[str, str] = field(default_factory=dict)
    tables: dict[str, TableStat] = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> str:
        data = {
            "format": 1,
            "vendor": self.vendor,
            "created_at": self.created_at,
            "seconds": round(self.seconds, 3),
            "files": self.files,
            "tables": {
                name: {"rows": s.rows, "checksum": s.checksum} for name, s in self.tables.items()
            },
        }
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            tables = {
                name: TableStat(int(v["rows"]), str(v["checksum"]))
                for name, v in data["tables"].items()
            }
            return cls(str(data["vendor"]), str(data["created_at"]), dict(data["files"]), tables)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"{folder} 不是有效的备份（manifest.json 缺失或损坏）") from exc


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise BackupError(f"找不到 {name}（请安装 PostgreSQL 客户端工具）")


def backup(out: Path) -> Manifest:
    """Write a backup of the configured database and uploaded files into ``out``."""
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"目标文件夹 {out} 不是空的")
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    manifest = Manifest(connection.vendor, timezone.now().isoformat())
    connection.ensure_connection()
    if connection.in_atomic_block:
        # SQLite's online backup waits for open write transactions to end,
        # including our own.
        raise BackupError("不能在数据库事务中备份")
    if connection.vendor == "sqlite":
        target = sqlite3.connect(out / SQLITE_FILE)
        try:
            connection.connection.backup(target)
            manifest.tables = table_stats(target.cursor(), sqlite_tables(target.cursor()))
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        manifest.tables = _pg_dump(out / PG_FILE, connection.settings_dict)
    else:
        raise BackupError(f"不支持的数据库：{connection.vendor}")
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.copytree(media, out / MEDIA_DIR, dirs_exist_ok=True)
    for path in sorted(out.rglob("*")):
        if path.is_file():
            manifest.files[str(path.relative_to(out))] = sha256_file(path)
    manifest.seconds = time.perf_counter() - started
    (out / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def _pg_dump(path: Path, settings_dict: dict[str, Any]) -> dict[str, TableStat]:
    import psycopg

    # The checksums and pg_dump read one exported snapshot, so they describe
    # exactly the same data even while the application keeps writing.
    with psycopg.connect(**_pg_params(settings_dict)) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        command = [
            _pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={snapshot}",
            f"--file={path}",
            str(settings_dict["NAME"]),
        ]
        # The command is built from our own settings, not from user input.
        result = subprocess.run(  # noqa: S603
            command, env=_pg_env(settings_dict), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump 失败：{result.stderr.strip()[:300]}")
        cursor = conn.cursor()
        stats = table_stats(cursor, pg_tables(cursor))
        conn.rollback()
    return stats


def _pg_params(settings_dict: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {"dbname": settings_dict["NAME"]}
    for key, name in (
        ("HOST", "host"),
        ("PORT", "port"),
        ("USER", "user"),
        ("PASSWORD", "password"),
    ):
        if settings_dict.get(key):
            params[name] = settings_dict[key]
    return params


def check_files(folder: Path, manifest: Manifest) -> None:
    for name, expected in manifest.files.items():
        path = folder / name
        if not path.is_file():
            raise BackupError(f"备份缺少文件 {name}")
        if sha256_file(path) != expected:
            raise BackupError(f"备份文件 {name} 的校验值不符（文件已损坏或被改动）")


@dataclass
class RestoreReport:
    seconds: float
    tables: dict[str, TableStat]
    mismatches: list[str]

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _compare(expected: dict[str, TableStat], actual: dict[str, TableStat]) -> list[str]:
    problems = []
    for name in sorted(set(expected) | set(actual)):
        want, got = expected.get(name), actual.get(name)
        if want is None or got is None:
            problems.append(f"{name}：{'恢复后多出' if want is None else '恢复后缺少'}此表")
        elif want.rows != got.rows:
            problems.append(f"{name}：行数 {want.rows} → {got.rows}")
        elif want.checksum != got.checksum:
            problems.append(f"{name}：校验值不符")
    return problems


def restore_sqlite(folder: Path, target: Path) -> RestoreReport:
    manifest = Manifest.read(folder)
    check_files(folder, manifest)
    if manifest.vendor != "sqlite":
        raise BackupError("这是 PostgreSQL 备份，不能恢复到 SQLite")
    if target.exists() and target.stat().st_size > 0:
        raise BackupError(f"目标数据库 {target} 已存在且不为空，恢复只能写入空数据库")
    started = time.perf_counter()
    shutil.copyfile(folder / SQLITE_FILE, target)
    with sqlite3.connect(target) as conn:
        actual = table_stats(conn.cursor(), sqlite_tables(conn.cursor()))
    seconds = time.perf_counter() - started
    return RestoreReport(seconds, actual, _compare(manifest.tables, actual))


def restore_postgresql(folder: Path, settings_dict: dict[str, Any]) -> RestoreReport:
    import psycopg

    manifest = Manifest.read(folder)
    check_files(folder, manifest)
    if manifest.vendor != "postgresql":
        raise BackupError("这是 SQLite 备份，不能恢复到 PostgreSQL")
    with psycopg.connect(**_pg_params(settings_dict)) as conn:
        if pg_tables(conn.cursor()):
            raise BackupError(f"目标数据库 {settings_dict['NAME']} 不是空的，恢复只能写入空数据库")
    started = time.perf_counter()
    command = [
        _pg_tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        f"--dbname={settings_dict['NAME']}",
        str(folder / PG_FILE),
    ]
    result = subprocess.run(  # noqa: S603
        command, env=_pg_env(settings_dict), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore 失败：{result.stderr.strip()[:300]}")
    with psycopg.connect(**_pg_params(settings_dict)) as conn:
        cursor = conn.cursor()
        actual = table_stats(cursor, pg_tables(cursor))
    seconds = time.perf_counter() - started
    return RestoreReport(seconds, actual, _compare(manifest.tables, actual))


@contextmanager
def scratch_postgresql(settings_dict: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A new, empty database on the same server, dropped afterwards."""
    import psycopg

    name = f"renkou_drill_{uuid.uuid4().hex[:10]}"
    admin = {**_pg_params(settings_dict), "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**settings_dict, "NAME": name}
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class DrillReport:
    backup_seconds: float
    restore_seconds: float
    tables: int
    rows: int
    bytes: int
    mismatches: list[str]

    @property
    def ok(self) -> bool:
        return not self.mismatches


def drill(folder: Path | None = None) -> DrillReport:
    """Back up (unless a backup is given), restore into a scratch database, compare."""
    with tempfile.TemporaryDirectory(prefix="renkou-drill-") as work:
        source = folder
        backup_seconds = 0.0
        if source is None:
            source = Path(work) / "backup"
            backup_seconds = backup(source).seconds
        manifest = Manifest.read(source)
        size = sum((source / name).stat().st_size for name in manifest.files)
        if manifest.vendor == "sqlite":
            report = restore_sqlite(source, Path(work) / "scratch.sqlite3")
        else:
            with scratch_postgresql(connection.settings_dict) as scratch:
                report = restore_postgresql(source, scratch)
    return DrillReport(
        backup_seconds,
        report.seconds,
        len(report.tables),
        sum(stat.rows for stat in report.tables.values()),
        size,
        report.mismatches,
    )
