# Opening explorer: gunicorn serving `webapp:server` as a non-root user.
# Build: docker build -t opening-explorer .   Run: see docker-compose.yml and docs/DEPLOY.md.

# --- build stage: the pinned dependencies in a virtualenv, nothing else ---
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --no-cache-dir -r /tmp/requirements.txt

# --- final stage: the virtualenv and the source, no build tools, no caches ---
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONPATH=/app \
    PORT=8000 \
    WEB_CONCURRENCY=2 \
    GUNICORN_THREADS=4 \
    DATA_DIR=/var/lib/opening-explorer
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /var/lib/opening-explorer /imports/jobs \
    && chown -R app:app /var/lib/opening-explorer /imports
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY requirements.txt run.py ./
COPY deploy/gunicorn.conf.py deploy/gunicorn.conf.py
COPY webapp/ webapp/
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '8000'), timeout=4)"]
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "webapp:server"]
