"""TLS for the loopback servers: certificates from the run's trustme CA (``ws_ca``).

A test runs unchanged over ws:// and wss:// when its server fixture is parametrized
with ``SCHEMES``: for wss the fixture sets ``SSL_CERT_FILE`` to the CA (what
``ssl.create_default_context`` loads), so clients built with default options verify
the server's certificate for real, against that CA only.
"""

from __future__ import annotations

import ctypes
import ssl

import pytest
import trustme

__all__ = ["SCHEMES", "request_key_update", "server_context", "trust_ca", "ws_ca_file"]

#: Parameters for a server fixture: plain TCP, and TLS.
SCHEMES = ["ws", "wss"]


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    """A server context with a certificate for localhost and 127.0.0.1 signed by ``ca``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    return context


@pytest.fixture(scope="session")
def ws_ca_file(ws_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The CA certificate of ``ws_ca`` in a PEM file."""
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ws_ca.cert_pem.write_to_path(str(path))
    return str(path)


def trust_ca(monkeypatch: pytest.MonkeyPatch, ca_file: str) -> None:
    """Make default client contexts trust ``ca_file`` (and nothing else) for this test."""
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


#: SSL_KEY_UPDATE_REQUESTED in OpenSSL's ssl.h: the peer must update its keys too.
_KEY_UPDATE_REQUESTED = 1
_TLS1_3_VERSION = 0x0304


def request_key_update(sock: ssl.SSLSocket) -> None:
    """Make the server's next write carry a TLS 1.3 KeyUpdate asking the client for one too.

    Python has no API for it: this finds the ``SSL *`` in the ``_ssl`` object (right
    after the object header, ``object.__basicsize__``, and a socket pointer) and calls
    OpenSSL's
    ``SSL_key_update``, after checking that the pointer is that socket's TLS 1.3
    connection. Skips the test where that cannot be done.
    """
    import _ssl

    try:
        libssl = ctypes.CDLL(_ssl.__file__)
        key_update, get_fd, version = libssl.SSL_key_update, libssl.SSL_get_fd, libssl.SSL_version
    except (OSError, AttributeError) as exc:
        pytest.skip(f"OpenSSL's SSL_key_update is not reachable: {exc}")
    for function in (key_update, get_fd, version):
        function.argtypes = [ctypes.c_void_p] + ([ctypes.c_int] if function is key_update else [])
        function.restype = ctypes.c_int
    offset = object.__basicsize__ + ctypes.sizeof(ctypes.c_void_p)
    pointer = ctypes.c_void_p.from_address(id(sock._sslobj) + offset).value  # type: ignore[attr-defined]
    if not pointer or get_fd(pointer) != sock.fileno() or version(pointer) != _TLS1_3_VERSION:
        pytest.skip("cannot find the SSL object of a TLS 1.3 socket in this Python build")
    if key_update(pointer, _KEY_UPDATE_REQUESTED) != 1:
        pytest.fail("SSL_key_update failed")
