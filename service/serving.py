"""Running an ASGI app under uvicorn, in one process or in several sharing one listening socket.

With `workers > 1` uvicorn binds the listening socket itself and leaves its protocol at 0; accepted sockets
inherit that, and asyncio sets TCP_NODELAY only on sockets that say IPPROTO_TCP (uvicorn issue #3149). Nagle's
algorithm then holds back each keep-alive response until the client's delayed ACK, about 40 ms on Linux. So
the socket is bound here, as a TCP socket, and handed to uvicorn's supervisor. One process (the default) is
left to uvicorn, whose own listener is already right.
"""

import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket whose accepted connections asyncio recognises as TCP (and so sets TCP_NODELAY on)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def run(app: Any, *, host: str, port: int, workers: int = 1, **options: Any) -> None:
    """uvicorn.run, except that several workers get a socket from `listen`; `app` must then be an import string."""
    if workers <= 1:
        uvicorn.run(app, host=host, port=port, **options)
        return
    if not isinstance(app, str):
        raise TypeError("several workers import the app themselves: pass it as 'module:attribute'")
    config = uvicorn.Config(app, host=host, port=port, workers=workers, **options)
    Multiprocess(config, sockets=[listen(host, port)]).run()
