"""Errors as RFC 9457 problem details: every refusal says in plain language what is wrong."""

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


class ServiceError(Exception):
    """A refusal the client can act on; subclasses fix the status."""

    status = 400

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409


class Invalid(ServiceError):
    """Input that cannot be used; `errors` lists each offending field."""

    status = 422

    def __init__(self, detail: str, errors: list[dict[str, str]]) -> None:
        super().__init__(detail, errors=errors)


def field_errors(error: ValidationError, prefix: str) -> Invalid:
    """A pydantic validation error as a 422 naming each field under `prefix` (e.g. "data")."""
    fields = [{"field": ".".join([prefix, *map(str, e["loc"])]), "message": e["msg"]} for e in error.errors()]
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return Invalid(f"The request is not valid: {summary}", fields)


def problem(status: int, detail: str, **extra: Any) -> JSONResponse:
    phrase = HTTPStatus(status).phrase
    body = {"type": "about:blank", "title": phrase, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _field(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or str(location[-1] if location else "")


async def _service_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ServiceError)
    return problem(error.status, error.detail, **error.extra)


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    response = problem(error.status_code, str(error.detail))
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    fields = [{"field": _field(tuple(e["loc"])), "message": e["msg"]} for e in error.errors()]
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return problem(422, f"The request is not valid: {summary}", errors=fields)


def install(app: FastAPI) -> None:
    """Register the problem-details handlers on the app."""
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
