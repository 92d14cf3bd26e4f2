"""serve --workers N binds its own listening socket: accepted connections must get TCP_NODELAY (uvicorn #3149)."""

import asyncio
import socket

from service.serving import listen


def accepted_nodelay(sock: socket.socket) -> int:
    """TCP_NODELAY of the connection asyncio accepts on `sock` (as each uvicorn worker does)."""
    sock.listen()
    port = sock.getsockname()[1]
    seen: list[int] = []

    async def main() -> None:
        def accepted(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            seen.append(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(accepted, sock=sock)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await reader.read()  # until the server closes it
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(main())
    return seen[0]


def test_connections_accepted_on_the_workers_socket_have_nodelay() -> None:
    assert accepted_nodelay(listen("127.0.0.1", 0)) != 0


def test_a_socket_bound_as_uvicorn_binds_it_would_not() -> None:
    """Why listen() exists: a socket made without the protocol (as uvicorn's supervisor makes it) loses TCP_NODELAY."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    assert accepted_nodelay(sock) == 0
