"""The servers an example runs against: the demo server, and stand-ins for outside services.

``serve(example, folder)`` starts what the example's code names and returns the
code with the documented addresses replaced by the test servers'.
"""

from __future__ import annotations

import contextlib
import json
import ssl
from collections.abc import Iterator
from pathlib import Path

import trustme

from pushsdk_monitor.demo_server import DemoServer
from tests.servers.sse_server import SSEConn, SSEServer
from tests.servers.ws_server import WSServer

from .examples import DEMO_ADDRESS, STAND_INS, Example

#: Seconds between the demo server's periodic messages while examples run.
DEMO_INTERVAL = 0.05
#: What the chat stand-in streams, one chunk per piece.
CHAT_PIECES = ("Hello", ", ", "world", "!")


def chat_completions(conn: SSEConn) -> None:
    """An OpenAI-style chat completions stream: chunks, then ``data: [DONE]``."""
    request = conn.request
    if request.method != "POST" or request.path != "/v1/chat/completions":
        conn.respond(404, body=b"not found")
        return
    conn.start()
    for piece in CHAT_PIECES:
        chunk = {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
        }
        conn.send(f"data: {json.dumps(chunk)}\n\n")
    conn.send("data: [DONE]\n\n")
    conn.end()


@contextlib.contextmanager
def serve(example: Example, folder: Path) -> Iterator[str]:
    """Start the servers ``example`` needs; yield its code pointed at them."""
    code = example.code
    stand_in = example.options.get("stand-in")
    for name, address in STAND_INS.items():
        if address in code and stand_in != name:
            raise AssertionError(
                f"{example.name} uses {address}: mark it <!-- example: stand-in={name} -->"
            )
    with contextlib.ExitStack() as stack:
        if DEMO_ADDRESS in code:
            demo = DemoServer(interval=DEMO_INTERVAL).start()
            stack.callback(demo.stop)
            code = code.replace(DEMO_ADDRESS, f"127.0.0.1:{demo.port}")
        if stand_in == "chat":
            chat = SSEServer()
            chat.handler = chat_completions
            stack.callback(chat.stop)
            code = code.replace(STAND_INS["chat"], f"http://127.0.0.1:{chat.port}")
        elif stand_in == "echo":
            plain = WSServer()
            stack.callback(plain.stop)
            ca = trustme.CA()
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
            secure = WSServer(context)
            stack.callback(secure.stop)
            ca.cert_pem.write_to_path(str(folder / "ca.pem"))
            for server in (plain, secure):
                scheme, _, rest = server.url.partition("://")
                host = rest.split("/", 1)[0]
                code = code.replace(f"{scheme}://{STAND_INS['echo']}", f"{scheme}://{host}")
        elif stand_in is not None:
            raise AssertionError(f"{example.name}: unknown stand-in {stand_in!r}")
        yield code
