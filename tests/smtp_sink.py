"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, can refuse for a while, and be slow."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Sink:
    """The handler: `received` holds every accepted message; `refuse` answers 451 that many times."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.refuse = 0
        self.slow = 0.0  # seconds to wait before accepting each recipient
        self.waiting = threading.Event()  # set while the sink waits in RCPT (a sender is mid-conversation)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if self.slow:
            self.waiting.set()
            time.sleep(self.slow)  # blocks the sink's loop on purpose: one conversation at a time, like a slow relay
            self.waiting.clear()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted"

    def ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.received]

    def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.received) >= count, f"{len(self.received)} of {count} mails arrived"
        return self.received


def accept(login: tuple[str, str]) -> Any:
    """An aiosmtpd authenticator that lets exactly this (user, password) in."""

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        given = (data.login.decode(), data.password.decode()) if isinstance(data, LoginPassword) else None
        return AuthResult(success=given == login, handled=False)  # aiosmtpd answers 535 itself

    return check


@contextmanager
def smtp_sink(
    sink: Sink | None = None, port: int | None = None, login: tuple[str, str] | None = None
) -> Iterator[tuple[Sink, int]]:
    """A running SMTP server on 127.0.0.1 (a free port, bound first: Controller(port=0) cannot self-connect);
    with `login`, it requires that user and password (AUTH over plain text: loopback only)."""
    sink = sink or Sink()
    port = port or free_port()
    auth: dict[str, Any] = (
        {"authenticator": accept(login), "auth_required": True, "auth_require_tls": False} if login else {}
    )
    controller = Controller(sink, hostname="127.0.0.1", port=port, **auth)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()
