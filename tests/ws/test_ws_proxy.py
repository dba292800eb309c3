"""The ``proxy`` option: a CONNECT tunnel through an HTTP proxy on loopback."""

from __future__ import annotations

import base64
import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest

from pushsdk import ConnectError, WSClient
from tests.ending import ended
from tests.servers.ws_server import WSServer
from tests.ws.recorder import WAIT, Recorder


class ConnectProxy:
    """A minimal HTTP CONNECT proxy; ``requests`` keeps each CONNECT request's head."""

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.requests: list[str] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://user:p%40ss@127.0.0.1:{self._listener.getsockname()[1]}"
        self._sockets: list[socket.socket] = []
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self._sockets.append(client)
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(1)
                if not chunk:
                    break
                head += chunk
            self.requests.append(head.decode())
            if self.refuse:
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                client.close()
                continue
            host, port = head.split()[1].decode().rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)))
            self._sockets.append(upstream)
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            for source, target in ((client, upstream), (upstream, client)):
                thread = threading.Thread(target=self._pipe, args=(source, target), daemon=True)
                self._threads.append(thread)
                thread.start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(WAIT)


@pytest.fixture
def connect_proxy() -> Iterator[ConnectProxy]:
    proxy = ConnectProxy()
    yield proxy
    proxy.stop()


def test_messages_flow_through_the_tunnel(ws_server: WSServer, connect_proxy: ConnectProxy) -> None:
    recorder = Recorder()
    client = recorder.attach(WSClient(ws_server.url, proxy=connect_proxy.url, reconnect=False))
    with client:
        assert client.wait_open(WAIT)
        client.send("via proxy")
        assert recorder.wait_count("message")
    assert recorder.messages() == ["via proxy"]
    (request,) = connect_proxy.requests
    port = ws_server.url.split(":")[2].split("/")[0]
    assert request.startswith(f"CONNECT localhost:{port} HTTP/1.1\r\n")
    credentials = base64.b64encode(b"user:p@ss").decode()
    assert f"Proxy-Authorization: Basic {credentials}" in request


def test_a_refused_tunnel_is_a_connect_error(ws_server: WSServer) -> None:
    proxy = ConnectProxy(refuse=True)
    try:
        recorder = Recorder()
        client = recorder.attach(WSClient(ws_server.url, proxy=proxy.url, reconnect=False))
        client.start()
        assert ended(client)
        (error,) = recorder.errors()
        assert isinstance(error, ConnectError) and "403" in str(error)
    finally:
        proxy.stop()
