#!/usr/bin/env bash
# Serve the demo: the job worker in the background, the web server in front.
set -euo pipefail
port="${1:-8000}"
bin=.venv/bin
RENKOU_DEMO=1 $bin/renkou worker &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo
echo "Renkou 演示已启动 / demo running: http://127.0.0.1:${port}/  (Ctrl-C 结束 / to stop)"
RENKOU_DEMO=1 $bin/renkou runserver "127.0.0.1:${port}" --noreload
