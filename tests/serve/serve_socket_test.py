"""The listening socket `serve` binds: what asyncio (under uvicorn) makes of its connections."""

from __future__ import annotations

import asyncio
import socket

from gitmem.serve import runner


def test_connections_are_accepted_with_nagle_off() -> None:
    # asyncio sets TCP_NODELAY only on a socket whose proto says TCP; with the default proto 0
    # Nagle held back every answer's body until the client's delayed ACK, 40 ms per request on
    # a keep-alive connection.
    seen: list[int] = []

    class Record(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            accepted = transport.get_extra_info("socket")
            seen.append(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def accept_one() -> None:
        sock = runner.bind("127.0.0.1", 0)
        server = await asyncio.get_running_loop().create_server(Record, sock=sock)
        async with server:
            port = sock.getsockname()[1]
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            for _ in range(200):
                if seen:
                    break
                await asyncio.sleep(0.01)
            writer.close()

    asyncio.run(accept_one())
    assert seen and seen[0] != 0
