"""Autobahn TestSuite sections 12 and 13 (permessage-deflate), replayed over a real socket.

As in Autobahn, the server sends compressed messages of 16 B to 256 KiB, whole or
auto-fragmented, and the client echoes each one: the server checks that the
client inflated it right and that what the client sends back inflates, with the
parameters agreed, to the same bytes. Section 12 varies the payload (text that
compresses well, JSON, HTML-like text, structured and random binary) under the
default agreement; section 13 varies the agreement: context takeover either way,
server_max_window_bits and client_max_window_bits from 8 to 15. The server is
``DeflatePeer`` (zlib, no WebSocket library). Autobahn sends 1,000 messages per
case; we send enough to cross the window several times (at least 4) and keep the
suite quick. The whole of sections 1-7 and 9 also runs with compression agreed. The
client inflates with zlib-ng over ws:// and with the standard library's zlib over wss://.
"""

from __future__ import annotations

import json
import random
import threading

import pytest

from pushsdk import Message, WSClient
from tests.ending import ended
from tests.servers.raw_ws import RawWSServer
from tests.ws.deflate_peer import DeflatePeer
from tests.ws.test_autobahn import CASES, run_case

pytestmark = pytest.mark.usefixtures("inflate_backend")

TEXT, BINARY, CLOSE = 0x1, 0x2, 0x8
WAIT = 10.0

#: (payload size, auto-fragment size; 0: one frame), Autobahn 12.x.1-18, plus 256 KiB.
SIZES = [
    (16, 0), (64, 0), (256, 0), (1024, 0), (4096, 0), (8192, 0), (16384, 0), (32768, 0),
    (65536, 0), (131072, 0), (8192, 256), (16384, 256), (32768, 256), (65536, 256),
    (131072, 256), (131072, 1024), (131072, 4096), (131072, 32768), (262144, 0),
    (262144, 65536),
]  # fmt: skip


def _payloads(kind: str, size: int, count: int) -> list[str | bytes]:
    rng = random.Random(f"{kind}-{size}")
    if kind == "random":
        return [rng.randbytes(size) for _ in range(count)]
    if kind == "binary":  # structured: compresses, but not as text does
        return [
            bytes(rng.choice(b"\x00\x01\x02\x10\xff") for _ in range(size)) for _ in range(count)
        ]
    if kind == "json":
        rows = [{"id": i, "px": f"{rng.random() * 5e4:.2f}", "side": "buy"} for i in range(9999)]
        text = json.dumps(rows)
    elif kind == "html":
        text = "".join(
            f"<p class='x{rng.randrange(9)}'>Hällo wörld {i} €</p>" for i in range(99999)
        )
    else:  # "text": Autobahn's artificial payload, repeated phrase
        text = "Hello, world! " * (size // 14 + 2)
    messages: list[str | bytes] = []
    for i in range(count):
        start = (i * 977) % max(len(text) - size, 1)
        part = text[start : start + size].encode()[:size]
        messages.append(part.decode(errors="ignore"))
    return messages


def _count(size: int) -> int:
    return max(4, min(50, (256 * 1024) // size))


def echo_run(server: RawWSServer, extension: str, kind: str, cases: list[tuple[int, int]]) -> None:
    """Negotiate ``extension``; for each case the server sends, the client echoes."""
    server.extensions = extension
    echoed = threading.Semaphore(0)

    def on_message(client: WSClient, message: Message[str | bytes]) -> None:
        client.send(message.data)
        echoed.release()

    client = WSClient(  # over wss://, the raw_ws_server fixture makes the client trust it
        server.url, reconnect=False, ping_interval=None, on_message=on_message,
        max_message_size=1 << 20,
    )  # fmt: skip
    client.start()
    try:
        conn = server.accept()
        assert conn.request_headers["sec-websocket-extensions"] == (
            "permessage-deflate; client_max_window_bits"
        )
        peer = DeflatePeer(conn, extension)
        sent = 0
        for size, fragment in cases:
            for payload in _payloads(kind, size, _count(size)):
                opcode = TEXT if isinstance(payload, str) else BINARY
                data = payload.encode() if isinstance(payload, str) else payload
                peer.send(opcode, data, fragment)
                assert peer.recv_message(WAIT) == (opcode, data), f"echo of {size} B differs"
                sent += 1
        assert client.extension is not None
        assert client.stats.messages_in == sent
        if any(size >= 128 for size, _ in cases):
            assert peer.compressed_in > 0, "the client never compressed"
        conn.send(b"\x88\x02\x03\xe8")
        assert conn.recv_close_code(WAIT) == 1000
        assert ended(client)
        assert client.last_error is None
    finally:
        client.close()


KINDS = ["text", "json", "html", "binary", "random"]


@pytest.mark.parametrize("size", SIZES, ids=[f"{s}-frag{f}" for s, f in SIZES])
@pytest.mark.parametrize("kind", KINDS)
def test_section_12_payloads(raw_ws_server: RawWSServer, kind: str, size: tuple[int, int]) -> None:
    echo_run(raw_ws_server, "permessage-deflate", kind, [size])


#: Section 13: every parameter set a server may answer our offer with.
AGREEMENTS = [
    "permessage-deflate",
    "permessage-deflate; server_no_context_takeover",
    "permessage-deflate; client_no_context_takeover",
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
    "permessage-deflate; client_max_window_bits",
    *[f"permessage-deflate; server_max_window_bits={b}" for b in range(8, 16)],
    *[f"permessage-deflate; client_max_window_bits={b}" for b in range(8, 16)],
    "permessage-deflate; server_max_window_bits=8; client_max_window_bits=8",
    "permessage-deflate; server_no_context_takeover; server_max_window_bits=9; "
    "client_no_context_takeover; client_max_window_bits=9",
    "permessage-deflate; client_no_context_takeover; client_max_window_bits=8",
]
SECTION_13_SIZES = [(16, 0), (256, 0), (1024, 0), (4096, 0), (65536, 0), (65536, 256),
                    (131072, 4096)]  # fmt: skip


def _id(extension: str) -> str:
    return extension.replace("permessage-deflate", "pmd").replace("; ", ",")


@pytest.mark.parametrize("extension", AGREEMENTS, ids=_id)
def test_section_13_parameters(raw_ws_server: RawWSServer, extension: str) -> None:
    echo_run(raw_ws_server, extension, "json", SECTION_13_SIZES)


@pytest.mark.parametrize("name", list(CASES))
def test_sections_1_to_9_with_compression_agreed(raw_ws_server: RawWSServer, name: str) -> None:
    """Uncompressed frames (RSV1 clear) stay valid once compression is agreed."""
    raw_ws_server.extensions = "permessage-deflate"
    run_case(raw_ws_server, CASES[name])
