"""Errors as a browser should see them: outside /api, a page in the UI's language instead of problem+json.

The API keeps its problem+json answers (service.errors); only requests for pages that accept HTML get a page.
"""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from service import errors
from service.ui.views import render

API = "/api/"


def wants_page(request: Request) -> bool:
    """A browser asking for a page (not the API, not a script asking for JSON)."""
    return not request.url.path.startswith(API) and "text/html" in request.headers.get("Accept", "")


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if not wants_page(request) or error.status_code not in (404, 405):
        return await errors._http_error(request, error)
    return render(request, "not_found.html", 404 if error.status_code == 404 else 405, user=None)


async def validation_error(request: Request, error: Exception) -> Response:
    """A page address with a malformed id (/sager/abc) is a page that does not exist."""
    if not wants_page(request) or request.method != "GET":
        return await errors._validation_error(request, error)
    return render(request, "not_found.html", 404, user=None)


def install(app: FastAPI) -> None:
    """Register after service.errors.install: these handlers take over for pages and delegate the rest."""
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
