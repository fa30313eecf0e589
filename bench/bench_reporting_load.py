"""The analytics API under load: 20 concurrent clients, one county's townships × 12 months ×
10 indicators per request, against a local WSGI server on 127.0.0.1.

The server is the project's WSGI application in two pre-forked processes (one
per core), each with a pool of ten threads keeping their database connections
(CONN_MAX_AGE), built from the standard library; the clients are threads
using urllib. Bounded in requests and in time. Runs after
bench_reporting, whose province-scale data it queries.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

SERVER_PROCESSES = 2
THREADS = 10  # per process
CLIENTS = 20
MAX_REQUESTS = 2000
MAX_SECONDS = 60.0
WARM_UP = 40


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


class _PooledServer(WSGIServer):
    """A fixed pool of threads per process, so each keeps its database connection
    (CONN_MAX_AGE) as a production server's workers would."""

    def __init__(self, *args: Any, threads: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pool = ThreadPoolExecutor(max_workers=threads)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.pool.submit(self._work, request, client_address)

    def _work(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


def serve(port: int) -> None:
    """Run in a child process: bind once, fork, and let every process accept on the socket."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")
    django.setup()
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(512)
    for _ in range(SERVER_PROCESSES - 1):
        if os.fork() == 0:
            break
    server = _PooledServer(
        ("127.0.0.1", port), _QuietHandler, bind_and_activate=False, threads=THREADS
    )
    server.socket.close()
    server.socket = listener
    server.server_address = listener.getsockname()
    server.server_name = "127.0.0.1"
    server.server_port = port
    server.setup_environ()
    server.set_app(application)
    server.serve_forever()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _token() -> str:
    from renkou.accounts.actions import do_create_api_token
    from renkou.accounts.models import Role, User
    from renkou.orgunits.models import OrgUnit

    user = User.objects.filter(username="bench-analyst").first()
    if user is None:
        user = User.objects.create(
            username="bench-analyst",
            role=Role.COUNTY_ASSESSOR,
            home_unit=OrgUnit.objects.get(code="33"),
        )
    _token_row, raw = do_create_api_token(acting_user=user, name="bench")
    return raw


def _urls(base: str) -> list[str]:
    from django.db.models import Count

    from renkou.orgunits.models import Level, OrgUnit

    counties = list(
        OrgUnit.objects.filter(level=Level.COUNTY, path__startswith="33/")
        .annotate(n=Count("children"))
        .filter(n__gte=10)
        .order_by("code")
        .values_list("code", flat=True)[:10]
    )
    dx = ";".join(f"bench_i{k:02d}" for k in range(1, 11))
    return [
        f"{base}/api/v1/analytics?dx={dx}&pe=202501:202512&ou={code}/children" for code in counties
    ]


def _get(url: str, token: str) -> tuple[float, int, int]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - 127.0.0.1 only
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = b"", error.code
    return time.perf_counter() - started, status, len(body)


def _load(urls: list[str], token: str) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    budget = [MAX_REQUESTS]
    deadline = time.perf_counter() + MAX_SECONDS

    def client(index: int) -> None:
        nonlocal errors
        n = index
        while time.perf_counter() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            elapsed, status, _size = _get(urls[n % len(urls)], token)
            n += 1
            with lock:
                latencies.append(elapsed)
                errors += status != 200

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - started


def main() -> None:
    from renkou.catalog.models import Indicator

    if not Indicator.objects.filter(code="bench_i01").exists():
        print("   no province-scale data: run bench_reporting first")
        return
    token = _token()
    port = _free_port()
    # The throw-away var directory has no collected static files; say so quietly.
    os.makedirs(os.path.join(os.environ.get("RENKOU_VAR_DIR", "var"), "static"), exist_ok=True)
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.bench_reporting_load", "--serve", str(port)],
        env={**os.environ, "CONN_MAX_AGE": "600"},
        start_new_session=True,
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                if _get(f"{base}/healthz", token)[1] == 200:
                    break
            time.sleep(0.2)
        urls = _urls(base)
        if not urls:
            print("   no county with ten or more townships found")
            return
        single = [_get(url, token) for url in urls * 2]
        if any(status != 200 for _t, status, _n in single):
            print(f"   the API answered {sorted({s for _t, s, _n in single})}; not measuring")
            return
        size = statistics.median(n for _t, _s, n in single)
        one = statistics.median(t for t, _s, _n in single) * 1000
        for _ in range(WARM_UP // len(urls) + 1):
            for url in urls:
                _get(url, token)
        latencies, errors, elapsed = _load(urls, token)
        latencies.sort()
        p50 = latencies[len(latencies) // 2] * 1000
        p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        print(
            f"   analytics, one county's townships × 12 months × 10 indicators "
            f"({size / 1024:.0f} KB): {one:.0f} ms alone"
        )
        print(
            f"   {CLIENTS} concurrent clients, {len(latencies)} requests in {elapsed:.1f} s "
            f"({len(latencies) / elapsed:.0f}/s, {errors} errors): "
            f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms [target p95 ≤ 300 ms]"
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__" and sys.argv[1:2] == ["--serve"]:
    serve(int(sys.argv[2]))
