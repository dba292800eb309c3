"""The HTTP side of SSEClient: an interruptible requests adapter and a body reader.

requests hides its sockets, yet ``close()`` must unblock a connect, a TLS
handshake or a read from another thread at once. The adapter's connections tell
a per-thread :class:`SocketHandle` about each socket as soon as it exists (before
``connect()``), and the handle keeps a duplicate of its descriptor: shutting that
down wakes whatever is blocked on the socket, whatever wraps it (TLS included).

A connection attempt has one deadline, kept by a :class:`Watchdog` thread that
cuts the socket through the same handle when it passes: per-operation timeouts
alone let a peer that dribbles its TLS handshake or response head hold it forever.

Reading the body is ``body.py``'s job.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.poolmanager import PoolManager
from urllib3.util.connection import allowed_gai_family
from urllib3.util.timeout import _DEFAULT_TIMEOUT

from .._net.dial import socks_handshake
from .._net.proxy import parse_proxy
from ..errors import ProxyError

_current = threading.local()  # .handle: the SocketHandle of the client connecting on this thread


class SocketHandle:
    """A duplicate of the current connection's socket, for a cross-thread shutdown.

    Once interrupted it stays so: registering a socket later fails at once, which
    closes the race between ``close()`` and a connect just starting. ``expire()``
    does the same for the current attempt only, until the next ``activate()``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._interrupted = False
        self._expired = False

    def register(self, sock: socket.socket) -> None:
        """Track ``sock`` (replacing the previous one) via a duplicated descriptor.

        Raises:
            ConnectionAbortedError: the handle was interrupted (the client is closing).
        """
        dup: socket.socket | None = socket.fromfd(sock.fileno(), sock.family, sock.type)
        with self._lock:
            interrupted = self._interrupted or self._expired
            if not interrupted:
                dup, self._sock = self._sock, dup  # dup is now the replaced one
        if dup is not None:
            dup.close()
        if interrupted:
            raise ConnectionAbortedError("the client is closing or the deadline passed")

    def interrupt(self) -> None:
        """Wake any thread blocked on the socket, now and for every later one."""
        with self._lock:
            self._interrupted = True
            if self._sock is not None:
                _shutdown(self._sock)

    def expire(self) -> None:
        """Cut the current connection attempt (its deadline passed); later ones may run."""
        with self._lock:
            self._expired = True
            if self._sock is not None:
                _shutdown(self._sock)

    def release(self) -> None:
        """Close the duplicate (the connection itself is closed by its owner)."""
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    def activate(self) -> None:
        """Make connections opened on this thread register with this handle."""
        with self._lock:
            self._expired = False
        _current.handle = self

    @staticmethod
    def deactivate() -> None:
        _current.handle = None


class Watchdog:
    """Calls ``expire`` once ``seconds`` have passed, unless stopped first.

    One short-lived thread per connection attempt: the client's own thread is the
    one blocked, so only another can cut it loose at the deadline.
    """

    def __init__(self, expire: Callable[[], None], seconds: float) -> None:
        self._expire = expire
        self._deadline = time.monotonic() + seconds
        self._cond = threading.Condition(threading.Lock())
        self._stopped = False
        self._fired = False
        self._thread = threading.Thread(target=self._run, name="pushsdk-sse-deadline", daemon=True)
        self._thread.start()

    def shorten(self, seconds: float) -> None:
        """Bring the deadline forward to ``seconds`` from now, if that is sooner."""
        with self._cond:
            self._deadline = min(self._deadline, time.monotonic() + seconds)
            self._cond.notify()

    def stop(self) -> bool:
        """Disarm it (no ``expire`` after this returns); return whether it fired."""
        with self._cond:
            self._stopped = True
            self._cond.notify()
            return self._fired

    def _run(self) -> None:
        with self._cond:
            while not self._stopped:
                left = self._deadline - time.monotonic()
                if left <= 0:
                    self._fired = True
                    self._expire()
                    return
                self._cond.wait(left)


def _shutdown(sock: socket.socket) -> None:
    # Not connected yet or already gone: either way nothing is blocked on it.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _create_connection(
    address: tuple[str, int],
    timeout: float | object | None,
    source_address: tuple[str, int] | None,
    socket_options: list[tuple[int, int, int | bytes]] | None,
) -> socket.socket:
    """urllib3's ``create_connection``, telling the thread's handle about each socket."""
    host, port = address
    host = host.strip("[]")
    handle: SocketHandle | None = getattr(_current, "handle", None)
    error: OSError | None = None
    for family, kind, proto, _, addr in socket.getaddrinfo(
        host, port, allowed_gai_family(), socket.SOCK_STREAM
    ):
        sock = socket.socket(family, kind, proto)
        try:
            if handle is not None:
                handle.register(sock)
            for option in socket_options or ():
                sock.setsockopt(*option)
            if timeout is not _DEFAULT_TIMEOUT:
                sock.settimeout(timeout)  # type: ignore[arg-type]
            if source_address:
                sock.bind(source_address)
            sock.connect(addr)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error if error is not None else OSError("getaddrinfo returned an empty list")


class _HookedConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        # Same errors as urllib3's own _new_conn, so requests maps them the same way.
        try:
            sock = _create_connection(
                (self._dns_host, self.port), self.timeout, self.source_address, self.socket_options
            )
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc
        sys.audit("http.client.connect", self, self.host, self.port)
        return sock


class _HookedTLSConnection(HTTPSConnection):
    _new_conn = _HookedConnection._new_conn


def _socks_new_conn(self: Any) -> socket.socket:
    """A connection through the SOCKS proxy ``self._socks`` (python-socks, as WSClient)."""
    proxy = self._socks
    try:
        sock = _create_connection(
            (proxy.host, proxy.port), self.timeout, self.source_address, self.socket_options
        )
    except OSError as exc:
        error = ProxyError(f"cannot reach proxy {proxy.display}: {exc}", proxy=proxy.display)
        raise NewConnectionError(self, str(error)) from error
    timeout = self.timeout if isinstance(self.timeout, int | float) else 60.0
    try:
        socks_handshake(sock, proxy, self._dns_host, self.port, time.monotonic() + timeout)
    except BaseException:
        sock.close()
        raise
    return sock


class _SocksConnection(_HookedConnection):
    def __init__(self, *args: Any, _socks_options: dict[str, str], **kwargs: Any) -> None:
        self._socks = parse_proxy(_socks_options["url"])
        super().__init__(*args, **kwargs)

    _new_conn = _socks_new_conn


class _SocksTLSConnection(_HookedTLSConnection):
    def __init__(self, *args: Any, _socks_options: dict[str, str], **kwargs: Any) -> None:
        self._socks = parse_proxy(_socks_options["url"])
        super().__init__(*args, **kwargs)

    _new_conn = _socks_new_conn


class _Pool(HTTPConnectionPool):
    ConnectionCls = _HookedConnection


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _HookedTLSConnection


class _SocksPool(HTTPConnectionPool):
    ConnectionCls = _SocksConnection


class _SocksTLSPool(HTTPSConnectionPool):
    ConnectionCls = _SocksTLSConnection


_POOLS: dict[str, Any] = {"http": _Pool, "https": _TLSPool}
_SOCKS_POOLS: dict[str, Any] = {"http": _SocksPool, "https": _SocksTLSPool}


class InterruptibleAdapter(HTTPAdapter):
    """An HTTPAdapter whose sockets register with the connecting thread's handle.

    With ``use_context()``, HTTPS connections (and TLS to an ``https://`` proxy)
    verify with the client's own ``ssl.SSLContext`` (``_net.tlsconfig``), not with what
    requests would load: both clients then trust the same servers. SOCKS proxies go
    through python-socks, as for WSClient, instead of urllib3's PySocks.
    """

    ssl_context: ssl.SSLContext | None = None

    def use_context(self, context: ssl.SSLContext) -> None:
        """Verify with ``context`` from now on (connections made with another are dropped)."""
        if context is not self.ssl_context:
            self.ssl_context = context
            self.close()  # pools keyed by the old context, and proxy managers using it

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def close(self) -> None:
        """Close the idle pooled connections now, then forget the pools.

        urllib3 2's ``PoolManager.clear()`` only forgets its pools: their idle
        connections closed when a pool was garbage-collected, which a response held by
        an error's traceback (a 4xx the client ended with) put off for as long as the
        error lived, keeping the server's connection open.
        """
        for manager in (self.poolmanager, *self.proxy_manager.values()):
            for key in manager.pools.keys():  # noqa: SIM118 - the container refuses iter()
                manager.pools[key].close()
        super().close()

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        if proxy in self.proxy_manager:
            return self.proxy_manager[proxy]
        if proxy.lower().startswith("socks"):
            settings = self.__dict__  # HTTPAdapter's pool settings (untyped attributes)
            manager = PoolManager(
                num_pools=settings["_pool_connections"],
                maxsize=settings["_pool_maxsize"],
                block=settings["_pool_block"],
                _socks_options={"url": proxy},  # a pool key field in urllib3
            )
            manager.pool_classes_by_scheme = _SOCKS_POOLS
            self.proxy_manager[proxy] = manager
            return manager
        if self.ssl_context is not None and proxy.lower().startswith("https"):
            kwargs["proxy_ssl_context"] = self.ssl_context
        manager = super().proxy_manager_for(proxy, **kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[Any, Any]:
        host, pool = super().build_connection_pool_key_attributes(request, verify, cert)
        context = self.ssl_context
        if context is not None and host["scheme"] == "https":
            return host, {"ssl_context": context, "cert_reqs": _cert_reqs(context)}
        return host, pool

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        context = self.ssl_context
        if context is None:
            super().cert_verify(conn, url, verify, cert)  # type: ignore[no-untyped-call]
            return
        # The context holds the CA and the client certificate: nothing to load on top.
        conn.cert_reqs = _cert_reqs(context)
        conn.ca_certs = conn.ca_cert_dir = conn.cert_file = conn.key_file = None


def _cert_reqs(context: ssl.SSLContext) -> str:
    return "CERT_NONE" if context.verify_mode == ssl.CERT_NONE else "CERT_REQUIRED"


def use_tls_context(session: requests.Session, context: ssl.SSLContext) -> None:
    """Make our adapters of ``session`` verify with ``context`` (a caller's keep theirs)."""
    for adapter in session.adapters.values():
        if isinstance(adapter, InterruptibleAdapter):
            adapter.use_context(context)


def new_session(like: requests.Session | None = None) -> requests.Session:
    """A session whose HTTP(S) connections can be interrupted from another thread.

    With ``like``, it shares that session's settings (the same headers, cookie jar,
    auth, proxies, certificates, hooks); a custom adapter mounted there is kept, and
    is then not interruptible during its connect.
    """
    session = requests.Session()
    if like is None:
        session.mount("http://", InterruptibleAdapter())
        session.mount("https://", InterruptibleAdapter())
        return session
    for name in _SESSION_SETTINGS:
        setattr(session, name, getattr(like, name))
    session.adapters.clear()
    for prefix, adapter in like.adapters.items():
        session.mount(prefix, InterruptibleAdapter() if type(adapter) is HTTPAdapter else adapter)
    return session


_SESSION_SETTINGS = (
    "auth",
    "cert",
    "cookies",
    "headers",
    "hooks",
    "max_redirects",
    "params",
    "proxies",
    "stream",
    "trust_env",
    "verify",
)


def drop_connections(session: requests.Session) -> None:
    """Close the idle connections of our own adapters (never a caller's adapter)."""
    for adapter in session.adapters.values():
        if isinstance(adapter, InterruptibleAdapter):
            adapter.close()
