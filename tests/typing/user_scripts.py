"""Code a user writes, type-checked by ``mypy --strict`` (pyproject: part of ``files``).

Nothing here runs: it must only type-check, without casts or ignores.
"""

from __future__ import annotations

from pushsdk import AnyClient, HandshakeError, Message, PushError, SSEClient, WSClient


def llm_stream() -> str:
    with SSEClient("http://127.0.0.1:8080/v1/chat/completions", method="POST", json={}) as client:
        resume_from: str = client.last_event_id
        parts = [resume_from]
        for message in client:
            if message.data == "[DONE]":
                break
            parts.append(message.data.upper())  # SSE data is always str
        return "".join(parts)


def on_ws_message(client: WSClient, message: Message[str | bytes]) -> None:
    if isinstance(message.data, bytes):
        client.send(message.data[::-1])
    else:
        client.send_json({"echo": message.data.lower()})


def on_close(client: WSClient, code: int | None, reason: str) -> None:
    print(client.url, code, reason)


def on_error(client: SSEClient, error: PushError) -> None:
    if isinstance(error, HandshakeError):
        print(error.status, error.body[:100])


def feed() -> None:
    ws = WSClient("ws://127.0.0.1:8080/ws", on_message=on_ws_message, on_close=on_close)

    @ws.on("ping")
    def pong(client: WSClient, message: Message[str | bytes]) -> None:
        client.send_json({"type": "pong"})

    with ws as client:
        opened: bool = client.wait_open(10)
        ended: bool = client.join(60)
        print(opened, ended, client.subprotocol, pong)
    SSEClient("http://127.0.0.1:8080/stream", on_error=on_error).close()


def count(client: AnyClient) -> int:
    total = 0
    for message in client.messages(timeout=5):
        total += len(message.data)
    return total


# Mistakes the types must catch: each line below is an error, silenced by an ignore
# naming it. If the types stopped catching one, mypy --strict (warn_unused_ignores)
# reports the ignore as unused, and scripts/test fails.


def ws_data_may_be_bytes(client: WSClient) -> str:
    for message in client:
        return message.data.upper()  # type: ignore[return-value]
    return ""


def one_argument(message: Message[str]) -> None:
    print(message)


SSEClient("http://127.0.0.1/", on_message=one_argument)  # type: ignore[arg-type]
SSEClient("http://127.0.0.1/", on_message=on_ws_message)  # type: ignore[arg-type]
WSClient("ws://127.0.0.1/", on_close=on_close, on_error=on_error)  # type: ignore[arg-type]
