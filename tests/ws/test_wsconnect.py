"""Connecting: the wait for a non-blocking connect, on poll() and on select()."""

from __future__ import annotations

import socket

import pytest

from pushsdk._net import dial as _dial


@pytest.mark.parametrize("waiter", ["poll", "select"])
def test_writable_once_connected_and_not_before_a_peer_reads(
    waiter: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """poll() where the platform has it (select() puts 48 KiB on the client thread's
    stack, which an idle client then keeps); select() where it has not (Windows)."""
    if waiter == "select":
        monkeypatch.setattr(_dial, "_poll", None)
    elif _dial._poll is None:
        pytest.skip("no poll() on this platform")
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        peer, _ = listener.accept()
        try:
            assert _dial._writable(client, 1.0)
            # Fill the send buffer: once the peer reads nothing, the socket is not writable.
            client.setblocking(False)
            chunk = b"x" * 65536
            try:
                while True:
                    client.send(chunk)
            except BlockingIOError:
                pass
            assert not _dial._writable(client, 0.05)
        finally:
            peer.close()
            client.close()
