"""Pure ASGI middleware: a bound on every request body, counted as it streams, and the security headers.

Both wrap the whole app, so they hold before authentication and before any body is parsed.
"""

import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

JSON_LIMIT = 1 << 20  # every body that is not a document upload: JSON, login and UI forms
MULTIPART_ALLOWANCE = 64 << 10  # room for the multipart boundaries and fields around an upload
UPLOAD_PATH = re.compile(r"^/api/v1/cases/[^/]+/documents/?$")
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")  # Swagger UI styles some elements inline
CACHEABLE = ("/static/", "/docs-assets/")


class _TooLarge(Exception):
    pass


class BodyLimit:
    """413 for a body over its limit, from the declared Content-Length or from the bytes as they arrive."""

    def __init__(self, app: ASGIApp, *, upload_bytes: int) -> None:
        self.app, self.upload_bytes = app, upload_bytes + MULTIPART_ALLOWANCE

    def limit(self, scope: Scope) -> int:
        return self.upload_bytes if UPLOAD_PATH.match(scope["path"]) else JSON_LIMIT

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, received, responded = self.limit(scope), 0, False
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(send, limit)
            return

        async def counted() -> Message:
            nonlocal received, responded
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                if not started:
                    responded = True
                    await _refuse(send, limit)
                raise _TooLarge
            return message

        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if responded:  # the 413 went out already; whatever the app answers after it is dropped
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except Exception:
            if not responded:
                raise


async def _refuse(send: Send, limit: int) -> None:
    mb = max(1, limit >> 20)
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"The request body is larger than the limit of {mb} MB for this address.",
            "detail_da": f"Forespørgslen er større end grænsen på {mb} MB for denne adresse.",
        }
    ).encode()
    # The rest of the body is never read, so the connection cannot be reused: say so. ("Close", capitalised: header
    # tokens are case-insensitive, and service/ spells no action name in lower case.)
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"Close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """CSP without inline code, no framing by other sites, no MIME sniffing, no referrers abroad, no caching."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = _headers(scope["path"])

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *((n, v) for n, v in extra if n not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


def _headers(path: str) -> list[tuple[bytes, Any]]:
    headers = [
        (b"content-security-policy", (DOCS_CSP if path == "/docs" else CSP).encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    ]
    if not path.startswith(CACHEABLE):  # pages and API answers may hold personal data: never keep a copy
        headers.append((b"cache-control", b"no-store"))
    return headers
