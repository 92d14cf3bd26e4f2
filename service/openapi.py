"""The OpenAPI document as clients see it: every error is problem+json, and 405 names the real methods."""

import re
from functools import cache
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details; a 409 also names the case's state, version and allowed actions.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}},
        },
    },
    "required": ["type", "title", "status", "detail"],
    "additionalProperties": True,
}
PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def install(app: FastAPI) -> None:
    """Replace FastAPI's error schemas with problem details and document 400 for unreadable bodies."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, summary=app.summary, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = PROBLEM
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation["responses"]
                if "requestBody" in operation:
                    responses.setdefault("400", {"description": "The body could not be read (malformed JSON or form)"})
                for code, response in responses.items():
                    if code.startswith(("4", "5")):
                        response["content"] = PROBLEM_CONTENT
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


@cache
def _templates(app: FastAPI) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    paths = app.openapi()["paths"]
    return [
        (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), frozenset(m.upper() for m in ops))
        for path, ops in paths.items()
    ]


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the API serves on a concrete path, for the Allow header of a 405."""
    methods = {m for pattern, ms in _templates(app) if pattern.match(path) for m in ms}
    return sorted(methods)
