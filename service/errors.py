"""Errors as RFC 9457 problem details: every refusal says in plain language what is wrong."""

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.openapi import allowed_methods

PROBLEM_JSON = "application/problem+json"


class ServiceError(Exception):
    """A refusal the client can act on, in English and (where given) Danish; subclasses fix the status."""

    status = 400

    def __init__(self, detail: str, *, da: str | None = None, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.detail_da = da
        self.headers = headers or {}
        self.extra = extra


class Unauthorized(ServiceError):
    status = 401


class Throttled(ServiceError):
    status = 429


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class NotAcceptable(ServiceError):
    status = 406


class Conflict(ServiceError):
    status = 409


class Invalid(ServiceError):
    """Input that cannot be used; `errors` lists each offending field."""

    status = 422

    def __init__(self, detail: str, errors: list[dict[str, str]], *, da: str | None = None) -> None:
        super().__init__(detail, da=da, errors=errors)


def field_errors(error: ValidationError, prefix: str) -> Invalid:
    """A pydantic validation error as a 422 naming each field under `prefix` (e.g. "data")."""
    fields = [{"field": ".".join([prefix, *map(str, e["loc"])]), "message": e["msg"]} for e in error.errors()]
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return Invalid(f"The request is not valid: {summary}", fields, da=f"Forespørgslen er ikke gyldig: {summary}")


TITLES_DA = {
    400: "Ugyldig forespørgsel",
    401: "Ikke logget ind",
    403: "Ikke tilladt",
    404: "Findes ikke",
    405: "Metoden er ikke tilladt",
    406: "Formatet kan ikke leveres",
    409: "Konflikt",
    413: "For stor",
    415: "Ukendt indholdstype",
    422: "Ugyldige data",
    429: "For mange forsøg",
    503: "Midlertidigt utilgængelig",
}
BUSY_RETRY_SECONDS = 2
DETAILS_DA = {"Not Found": "Adressen findes ikke.", "Method Not Allowed": "Metoden er ikke tilladt her."}


def wants_danish(request: Request) -> bool:
    return request.headers.get("accept-language", "").strip().lower().startswith("da")


def problem(
    status: int, detail: str, *, request: Request | None = None, da: str | None = None, **extra: Any
) -> JSONResponse:
    """A problem+json response, in Danish when the client asks for it (Accept-Language: da)."""
    title = HTTPStatus(status).phrase
    if request is not None and wants_danish(request):
        title, detail = TITLES_DA.get(status, title), da or DETAILS_DA.get(detail, detail)
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(
        body,
        status_code=status,
        media_type=PROBLEM_JSON,
        headers={"Content-Language": "da"} if (request is not None and wants_danish(request)) else None,
    )


def _field(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or str(location[-1] if location else "")


async def _service_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ServiceError)
    response = problem(error.status, error.detail, request=request, da=error.detail_da, **error.extra)
    response.headers.update(error.headers)
    return response


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    response = problem(error.status_code, str(error.detail), request=request)
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    if error.status_code == 405 and (methods := allowed_methods(request.app, request.url.path)):
        response.headers["Allow"] = ", ".join(methods)
    return response


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    fields = [{"field": _field(tuple(e["loc"])), "message": e["msg"]} for e in error.errors()]
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return problem(
        422,
        f"The request is not valid: {summary}",
        request=request,
        da=f"Forespørgslen er ikke gyldig: {summary}",
        errors=fields,
    )


async def _data_error(request: Request, error: Exception) -> JSONResponse:
    # The database refused a value the API let through (a NUL character, a number beyond its column).
    reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
    return problem(
        422,
        f"The request holds a value the database cannot store: {reason}",
        request=request,
        da=f"Forespørgslen indeholder en værdi, databasen ikke kan gemme: {reason}",
        errors=[{"field": "body", "message": reason}],
    )


async def _database_busy(request: Request, error: Exception) -> JSONResponse:
    # A lock wait that timed out ("database is locked", PostgreSQL's lock_timeout) or a database that went away:
    # the request did nothing and may be retried, so it is a 503 with Retry-After, never a 500.
    response = problem(
        503,
        "The database is busy or unavailable right now; try again in a moment.",
        request=request,
        da="Databasen er optaget eller utilgængelig lige nu; prøv igen om et øjeblik.",
    )
    response.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
    return response


def install(app: FastAPI) -> None:
    """Register the problem-details handlers on the app."""
    app.add_exception_handler(OperationalError, _database_busy)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
