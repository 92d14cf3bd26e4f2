"""The API documentation at /docs: Swagger UI 5 from the fastapi-offline package's files, nothing from a CDN.

(swagger-ui-bundle ships Swagger UI 4, which cannot read the OpenAPI 3.1 document FastAPI writes.)
"""

from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = str(files("fastapi_offline") / "static")

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>boligsocial API</title>
<link rel="stylesheet" href="/docs-assets/swagger-ui.css"><link rel="icon" href="/static/favicon.svg"></head>
<body><div id="swagger-ui"></div>
<script src="/docs-assets/swagger-ui-bundle.js"></script><script src="/static/docs-init.js"></script></body>
</html>
"""


def install(app: FastAPI) -> None:
    """Serve /docs and the Swagger UI assets it loads (the app is created with docs_url=None)."""
    app.mount("/docs-assets", StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(PAGE)
