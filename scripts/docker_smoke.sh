#!/usr/bin/env bash
# The container image for real: build the CPU image from this checkout, start it on a named cache
# volume, wait for its HEALTHCHECK, drive the served app with a headless browser
# (scripts/drive_served_app.py: every page, the image page's digits, a small text run), start a second
# container on the same volume and check that the same trainings come from the cache. Prints one JSON
# object at the end (build time, image size, start to healthy, peak memory, cache reuse).
#
#   scripts/docker_smoke.sh                      # from the repository root, as a user who may run docker
#   PYTHON=/work/venv/bin/python scripts/docker_smoke.sh
#
# Settings (environment): PYTHON (runs the browser driver; needs playwright and /usr/bin/chromium),
# IMAGE (tag to build, default dl-playground:smoke), BASE (the Dockerfile's base image; empty: its
# default python:3.11-slim, or dl-base:bookworm when Docker Hub cannot be reached), DOCKER_NETWORK
# (host: the container answers on 127.0.0.1:8501; anything else publishes 127.0.0.1:$PORT), PORT,
# DOCKERD_ARGS (flags for a dockerd this script starts when none answers), STORAGE_DRIVERS (the
# storage drivers that dockerd tries, in order; default overlay2 then vfs), SOURCE (empty: build the
# working tree as it is; a git revision such as HEAD: build that commit, e.g. while others edit the
# tree). Exit status: 0 when every
# check passed, 1 otherwise. Without a usable Docker daemon it skips (exit 0), except under CI=true,
# where that is a failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python}
IMAGE=${IMAGE:-dl-playground:smoke}
BASE=${BASE:-}
OFFICIAL_BASE=python:3.11-slim
LOCAL_BASE=dl-base:bookworm  # a Debian bookworm root imported into Docker (make_local_base)
DOCKER_NETWORK=${DOCKER_NETWORK:-host}
PORT=${PORT:-8501}
DOCKERD_ARGS=${DOCKERD_ARGS:---iptables=false --ip6tables=false --bridge=none}
# Docker's own default first; vfs (a full copy of the image per layer and per container: slow, large)
# only where the kernel or the file system cannot do overlay2
STORAGE_DRIVERS=${STORAGE_DRIVERS:-overlay2 vfs}
HEALTHY_WITHIN=${HEALTHY_WITHIN:-120}  # seconds from running to healthy before the smoke test fails
RUN_ID=$$
VOLUME=dl-smoke-cache-$RUN_ID
CONTAINER=dl-smoke-$RUN_ID
WORK=$(mktemp -d -t dl-docker-smoke-XXXXXX)
STARTED_DOCKERD_PID=""
SAMPLER_PID=""
SCRIPT_STARTED=$(date +%s.%N)

say() { echo "docker_smoke: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
seconds_since() { "$PYTHON" -c "import sys, time; print(round(time.time() - float(sys.argv[1]), 1))" "$1"; }

cleanup() {
    local status=$?
    [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2> /dev/null || true
    if docker info > /dev/null 2>&1; then
        docker rm -f "$CONTAINER" > /dev/null 2>&1 || true
        docker volume rm "$VOLUME" > /dev/null 2>&1 || true
    fi
    if [ -n "$STARTED_DOCKERD_PID" ]; then
        kill "$STARTED_DOCKERD_PID" 2> /dev/null || true
        wait "$STARTED_DOCKERD_PID" 2> /dev/null || true
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT

# ------------------------------------------------------------------------------------ the daemon
no_docker() {
    if [ "${CI:-}" = "true" ]; then fail "$1 (CI=true: a missing Docker daemon is a failure)"; fi
    say "skipped: $1"
    echo '{"skipped": "'"$1"'"}'
    exit 0
}

ensure_docker() {
    command -v docker > /dev/null || no_docker "the docker command is not installed (apt-get install -y docker.io)"
    docker info > /dev/null 2>&1 && return
    command -v dockerd > /dev/null && [ "$(id -u)" = 0 ] || no_docker "no Docker daemon answers and this user cannot start one"
    local driver
    for driver in $STORAGE_DRIVERS; do
        start_dockerd "$driver" && return
    done
    no_docker "dockerd did not start (storage drivers tried: $STORAGE_DRIVERS)"
}

start_dockerd() {  # storage driver; 0 once `docker info` answers, 1 when this dockerd gave up
    say "starting dockerd $DOCKERD_ARGS --storage-driver=$1 (log: $WORK/dockerd-$1.log)"
    # shellcheck disable=SC2086  # DOCKERD_ARGS is a list of flags
    dockerd $DOCKERD_ARGS --storage-driver="$1" > "$WORK/dockerd-$1.log" 2>&1 &
    STARTED_DOCKERD_PID=$!
    for _ in $(seq 60); do
        docker info > /dev/null 2>&1 && return 0
        kill -0 "$STARTED_DOCKERD_PID" 2> /dev/null || break
        sleep 1
    done
    tail -5 "$WORK/dockerd-$1.log" >&2 || true
    kill "$STARTED_DOCKERD_PID" 2> /dev/null || true
    wait "$STARTED_DOCKERD_PID" 2> /dev/null || true
    STARTED_DOCKERD_PID=""
    return 1
}

# ------------------------------------------------------------------------------------ build inputs
make_local_base() {
    # Debian's own Python 3.11 as a base image, from Debian's mirror (about 4 minutes, 289 MB)
    local root=/var/tmp/bookworm-root
    if [ ! -x "$root/usr/bin/python3" ]; then
        command -v debootstrap > /dev/null || fail "cannot pull $OFFICIAL_BASE and debootstrap is missing (apt-get install -y debootstrap)"
        say "making a Debian bookworm root in $root (debootstrap)"
        debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
            bookworm "$root" http://deb.debian.org/debian > "$WORK/debootstrap.log" 2>&1 || fail "debootstrap (see $WORK/debootstrap.log)"
    fi
    # without apt's package lists and caches (0.1 GB), as the official image ships
    tar -C "$root" --exclude='./var/lib/apt/lists/*' --exclude='./var/cache/apt/*' -c . \
        | docker import - "$LOCAL_BASE" > /dev/null
}

choose_base() {
    [ -n "$BASE" ] && return
    if docker image inspect "$OFFICIAL_BASE" > /dev/null 2>&1 || timeout 90 docker pull -q "$OFFICIAL_BASE" > /dev/null 2>&1; then
        BASE=$OFFICIAL_BASE
        return
    fi
    say "cannot pull $OFFICIAL_BASE: using $LOCAL_BASE"
    docker image inspect "$LOCAL_BASE" > /dev/null 2>&1 || make_local_base
    BASE=$LOCAL_BASE
}

copy_if_changed() {  # an unchanged file keeps Docker's layer cache valid
    cmp -s "$1" "$2" 2> /dev/null || cp "$1" "$2"
}

pip_setting() {  # the value of a pip setting ("cert", "find-links") on this machine, or nothing
    "$PYTHON" -m pip config list 2> /dev/null | sed -n "s/^[a-z:]*\.$1='\(.*\)'$/\1/p" | head -1
}

machine_build_inputs() {
    # This machine's pip trusts a certificate bundle of its own, and its wheel folder may hold the
    # pinned CPU torch: hand both to the build (docker/README.md). A plain machine has neither.
    local bundle wheels torch_version wheel
    bundle=$(pip_setting cert)
    if [ -n "$bundle" ] && [ -f "$bundle" ]; then
        copy_if_changed "$bundle" "$ROOT/docker/extra-ca.crt"
        say "pip's certificate bundle $bundle -> docker/extra-ca.crt"
    fi
    torch_version=$(sed -n 's/^torch==\([0-9.]*\).*/\1/p' "$ROOT/requirements.txt")
    for wheels in $(pip_setting find-links); do
        for wheel in "$wheels"/torch-"$torch_version"+cpu-*.whl; do
            [ -f "$wheel" ] || continue
            mkdir -p "$ROOT/docker/wheels"
            copy_if_changed "$wheel" "$ROOT/docker/wheels/$(basename "$wheel")"
            say "local torch wheel $(basename "$wheel") -> docker/wheels/"
            return
        done
    done
}

build_context() {  # the folder docker builds: the checkout, or a commit of it (SOURCE) with docker/'s inputs
    if [ -z "${SOURCE:-}" ]; then
        CONTEXT=$ROOT
        return
    fi
    CONTEXT=$WORK/context
    mkdir -p "$CONTEXT"
    # umask 022: a checkout's file modes (git archive's default 002 would make docker/ differ from the
    # working tree's, and Docker's layer cache compares modes)
    git -C "$ROOT" -c tar.umask=0022 archive "$SOURCE" | tar -x -C "$CONTEXT" || fail "git archive $SOURCE"
    [ -f "$ROOT/docker/extra-ca.crt" ] && cp -p "$ROOT/docker/extra-ca.crt" "$CONTEXT/docker/"
    [ -d "$ROOT/docker/wheels" ] && cp -rp "$ROOT/docker/wheels" "$CONTEXT/docker/"
    say "building commit $(git -C "$ROOT" rev-parse --short "$SOURCE") ($SOURCE)"
}

build_image() {
    local started
    started=$(date +%s.%N)
    build_context
    say "building $IMAGE on $BASE (log: $WORK/build.log)"
    DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-0} docker build --network "$DOCKER_NETWORK" --build-arg "BASE=$BASE" \
        -t "$IMAGE" "$CONTEXT" > "$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log" >&2; fail "docker build"; }
    BUILD_SECONDS=$(seconds_since "$started")
    IMAGE_BYTES=$(docker image inspect -f '{{.Size}}' "$IMAGE")
}

# ------------------------------------------------------------------------------------ running it
app_url() {
    if [ "$DOCKER_NETWORK" = host ]; then echo "http://127.0.0.1:8501"; else echo "http://127.0.0.1:$PORT"; fi
}

start_container() {
    # Sets CREATE_SECONDS (`docker run` until the container runs: the storage driver lays out its
    # file system; long with vfs, which copies the whole image) and START_SECONDS (from running to
    # healthy: the app's own start, HEALTHY_WITHIN at most).
    local started running status
    if [ "$DOCKER_NETWORK" = host ]; then
        "$PYTHON" -c "import socket; socket.create_server(('0.0.0.0', 8501)).close()" 2> /dev/null \
            || fail "port 8501 is in use on this machine (the container shares the host's network)"
        set -- --network host
    else
        set -- --network "$DOCKER_NETWORK" -p "127.0.0.1:$PORT:8501"
    fi
    started=$(date +%s.%N)
    # the image's HEALTHCHECK command, asked every second instead of every 30 s
    docker run -d --name "$CONTAINER" "$@" -v "$VOLUME:/cache" \
        --health-interval=1s --health-timeout=10s --health-start-period="${HEALTHY_WITHIN}s" "$IMAGE" > /dev/null
    running=$(date +%s.%N)
    CREATE_SECONDS=$(seconds_since "$started")
    while :; do
        status=$(docker inspect -f '{{.State.Status}} {{.State.Health.Status}}' "$CONTAINER")
        [ "$status" = "running healthy" ] && break
        case "$status" in running*) ;; *) docker logs "$CONTAINER" >&2 || true; fail "the container stopped: $status";; esac
        if [ "$(seconds_since "$running" | cut -d. -f1)" -ge "$HEALTHY_WITHIN" ]; then
            docker logs "$CONTAINER" >&2 || true
            fail "not healthy within $HEALTHY_WITHIN s of running ($status)"
        fi
        sleep 0.2
    done
    START_SECONDS=$(seconds_since "$running")
}

start_memory_sampler() {  # docker stats in the background, one "used" figure per line
    local log=$1
    : > "$log"
    (
        while docker stats --no-stream --format '{{.MemUsage}}' "$CONTAINER" 2> /dev/null | cut -d/ -f1 >> "$log"; do
            sleep 0.5
        done
    ) &
    SAMPLER_PID=$!
}

stop_memory_sampler() {
    kill "$SAMPLER_PID" 2> /dev/null || true
    wait "$SAMPLER_PID" 2> /dev/null || true
    SAMPLER_PID=""
}

peak_bytes() {  # the largest of docker stats' "1.23GiB" figures, in bytes
    "$PYTHON" - "$1" << 'EOF'
import re, sys
units = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "kB": 1e3, "MB": 1e6, "GB": 1e9}
values = [float(number) * units[unit] for number, unit in re.findall(r"([\d.]+)\s*([A-Za-z]+)", open(sys.argv[1]).read())
          if unit in units]
print(int(max(values, default=0)))
EOF
}

stop_container() {
    docker stop -t 20 "$CONTAINER" > /dev/null
    docker logs "$CONTAINER" > "$WORK/$1.container.log" 2>&1 || true
    docker rm "$CONTAINER" > /dev/null
}

drive() {  # phase: first | second; the driver's JSON goes to $WORK/<phase>.json
    "$PYTHON" "$ROOT/scripts/drive_served_app.py" "$(app_url)" "$1" > "$WORK/$1.json" \
        || { docker logs --tail 40 "$CONTAINER" >&2 || true; fail "the browser driver ($1)"; }
}

# ------------------------------------------------------------------------------------ the smoke test
ensure_docker
STORAGE_DRIVER=$(docker info -f '{{.Driver}}')
choose_base
machine_build_inputs
build_image
say "built in $BUILD_SECONDS s, $IMAGE_BYTES bytes"

docker volume create "$VOLUME" > /dev/null
start_container
COLD_CREATE=$CREATE_SECONDS COLD_START=$START_SECONDS
say "running $COLD_CREATE s after docker run, healthy $COLD_START s later"
RUNS_AS=$(docker exec "$CONTAINER" sh -c 'id -u; test -w /cache && echo writable')
[ "$RUNS_AS" = "$(printf '1000\nwritable')" ] || fail "the app should run as uid 1000 with /cache writable, got: $RUNS_AS"
start_memory_sampler "$WORK/first.memory"
drive first
stop_memory_sampler
PEAK_FIRST=$(peak_bytes "$WORK/first.memory")
stop_container first
say "first container: every page and two trainings passed; peak $PEAK_FIRST bytes"

start_container
say "second container: running $CREATE_SECONDS s after docker run, healthy $START_SECONDS s later"
start_memory_sampler "$WORK/second.memory"
drive second
stop_memory_sampler
PEAK_SECOND=$(peak_bytes "$WORK/second.memory")
stop_container second
say "second container on the same volume: both trainings loaded from the cache"

"$PYTHON" - "$WORK/first.json" "$WORK/second.json" << EOF
import json, sys
print(json.dumps({
    "base": "$BASE",
    "storage_driver": "$STORAGE_DRIVER",
    "source": "${SOURCE:-working tree}",
    "image": "$IMAGE",
    "build_seconds": $BUILD_SECONDS,
    "image_bytes": $IMAGE_BYTES,
    "image_gb": round($IMAGE_BYTES / 1e9, 2),
    "docker_run_to_running_seconds": $COLD_CREATE,
    "running_to_healthy_seconds": $COLD_START,
    "second_docker_run_to_running_seconds": $CREATE_SECONDS,
    "second_running_to_healthy_seconds": $START_SECONDS,
    "peak_memory_bytes": $PEAK_FIRST,
    "peak_memory_gib": round($PEAK_FIRST / 2**30, 2),
    "peak_memory_second_start_gib": round($PEAK_SECOND / 2**30, 2),
    "cache_reused": True,
    "first": json.load(open(sys.argv[1])),
    "second": json.load(open(sys.argv[2])),
    "total_seconds": $(seconds_since "$SCRIPT_STARTED"),
}, ensure_ascii=False, indent=1))
EOF
