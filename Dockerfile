FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY workflows workflows
COPY service service
COPY workers workers
RUN pip install --no-cache-dir . && useradd --system boligsocial && mkdir /app/var && chown boligsocial /app/var
USER boligsocial
EXPOSE 8000
CMD ["boligsocial", "serve", "--host", "0.0.0.0", "--no-worker"]
