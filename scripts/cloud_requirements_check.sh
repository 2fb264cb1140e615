#!/usr/bin/env bash
# The Streamlit Community Cloud install, rehearsed: make the one requirements file that
# docs/deploy.md ("Streamlit Community Cloud") tells you to make, with the commands taken from that
# page itself (so the page and this check cannot drift apart), install it with a single
# `pip install -r` into a fresh Python 3.11 virtual environment (Community Cloud runs one install),
# start the app from that environment and open every page in a headless browser
# (scripts/drive_served_app.py pages). Prints one JSON object; exit 1 on any failure.
#
#   PYTHON=/work/venv/bin/python scripts/cloud_requirements_check.sh    # about 6 minutes
#   scripts/cloud_requirements_check.sh --requirements-only             # print the file, install nothing
#
# PYTHON runs the browser driver (playwright, /usr/bin/chromium); PYTHON311 makes the fresh
# environment (default python3.11). The install uses this machine's pip settings (a wheel folder or
# proxy certificates, if it has them), as Community Cloud uses its own. A machine that cannot reach
# PyTorch's index (the file's extra index): PIP_RETRIES=0, or pip retries it for every package.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python}
PYTHON311=${PYTHON311:-python3.11}
WORK=$(mktemp -d -t dl-cloud-check-XXXXXX)
SERVER_PID=""

say() { echo "cloud_requirements_check: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
cleanup() {
    local status=$?
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2> /dev/null || true; wait "$SERVER_PID" 2> /dev/null || true; fi
    [ "${KEEP_WORK:-}" = 1 ] && say "kept $WORK" || rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT

# the commands between "{ echo" and "> requirements.cloud.txt" in docs/deploy.md, run in the checkout
recipe=$(sed -n '/^{ echo "--extra-index-url/,/> requirements.cloud.txt$/p' "$ROOT/docs/deploy.md")
[ -n "$recipe" ] || fail "docs/deploy.md no longer shows how requirements.cloud.txt is made"
(cd "$ROOT" && eval "${recipe% > requirements.cloud.txt}") > "$WORK/requirements.txt"
grep -q '^torch==.*+cpu$' "$WORK/requirements.txt" || fail "the file has no CPU torch pin"
grep -q '^recbole==' "$WORK/requirements.txt" || fail "the file lacks the data packages"
if [ "${1:-}" = "--requirements-only" ]; then
    cat "$WORK/requirements.txt"
    exit 0
fi

started=$(date +%s)
"$PYTHON311" -m venv "$WORK/venv"
say "installing $(grep -vc '^\(#\|--\|$\)' "$WORK/requirements.txt") requirements in one pip install (log: $WORK/install.log)"
"$WORK/venv/bin/pip" install --no-cache-dir -r "$WORK/requirements.txt" > "$WORK/install.log" 2>&1 \
    || { tail -30 "$WORK/install.log" >&2; fail "pip install -r requirements.cloud.txt"; }
install_seconds=$(( $(date +%s) - started ))
versions=$("$WORK/venv/bin/python" -c "import json, importlib.metadata as m; print(json.dumps({name: m.version(name) for name in ('torch', 'tensorflow', 'streamlit', 'numpy', 'scipy', 'recbole', 'scattertext')}))")

port=$("$PYTHON" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
(cd "$ROOT" && DL_CACHE_DIR="$WORK/cache" exec "$WORK/venv/bin/python" -m streamlit run streamlit_app.py \
    --server.port "$port" --server.address 127.0.0.1 --server.headless true > "$WORK/server.log" 2>&1) &
SERVER_PID=$!
for _ in $(seq 120); do
    "$PYTHON" -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$port/_stcore/health', timeout=2)" 2> /dev/null && break
    kill -0 "$SERVER_PID" 2> /dev/null || { cat "$WORK/server.log" >&2; fail "the app exited"; }
    sleep 1
done
pages=$("$PYTHON" "$ROOT/scripts/drive_served_app.py" "http://127.0.0.1:$port" pages) \
    || { tail -40 "$WORK/server.log" >&2; fail "a page did not open"; }

"$PYTHON" - "$versions" "$pages" "$install_seconds" "$(du -sb "$WORK/venv" | cut -f1)" << 'EOF'
import json, sys
versions, pages, seconds, size = sys.argv[1:]
print(json.dumps({"install_seconds": int(seconds), "environment_gb": round(int(size) / 1e9, 2),
                  "versions": json.loads(versions), "pages": json.loads(pages)}, ensure_ascii=False, indent=1))
EOF
