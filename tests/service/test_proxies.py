"""Client addresses: X-Forwarded-For is believed only from configured proxies (BOLIGSOCIAL_TRUSTED_PROXIES)."""

import httpx2

from tests.served import Served


def wrong_logins(base: str, username: str, addresses: list[str]) -> list[int]:
    url, form = f"{base}/api/v1/auth/token", {"username": username, "password": "wrong"}
    return [httpx2.post(url, data=form, headers={"X-Forwarded-For": a}, timeout=60).status_code for a in addresses]


def test_by_default_no_proxy_is_trusted_so_the_address_cannot_be_spoofed(embedded: str) -> None:
    addresses = [f"192.0.2.{i}" for i in range(1, 7)]  # a different claimed address each time
    assert wrong_logins(embedded, "ghost-of-proxies", addresses) == [401] * 5 + [429]  # all counted for 127.0.0.1


def test_a_trusted_proxy_passes_on_the_client_address(served: Served) -> None:
    addresses = [f"192.0.2.{i}" for i in range(1, 7)]
    assert wrong_logins(served.base, "ghost-of-proxies", addresses) == [401] * 6  # six clients, one failure each
