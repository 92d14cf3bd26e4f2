"""Idempotency-Key: a retry replays the first answer only when it is the same request from the same user."""

import hashlib
import json
from typing import Any

from service.errors import Invalid


def fingerprint(action: str, expected_version: int, comment: str, data: dict[str, Any] | None) -> str:
    """SHA-256 of the request's meaning: the action, the version it expects, its comment and data."""
    canonical = json.dumps([action, expected_version, comment, data or {}], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_replay(key: str, *, stored_actor: int | None, stored_print: str | None, actor: int, print_: str) -> None:
    """Refuse (422) a key that another user used, or that came with a different request."""
    if stored_actor != actor or (stored_print is not None and stored_print != print_):
        raise Invalid(
            f"The Idempotency-Key {key!r} was already used on this case for a different request or by another user; "
            "send a new key for a new request.",
            [{"field": "Idempotency-Key", "message": "used for a different request"}],
            da=f"Idempotency-Key {key!r} er allerede brugt på sagen til en anden forespørgsel eller af en anden bruger; "
            "send en ny nøgle til en ny forespørgsel.",
        )
