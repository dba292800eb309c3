"""One TLS context for both clients, from ``verify``, ``cert``, ``key_password``,
``truststore`` and the CA variables of the environment.

Both clients verify with a context built here (WSClient for its own TLS, SSEClient
hands it to urllib3), so that the same arguments and the same environment trust the
same servers. With ``verify=True`` the CAs are those of every location the environment names:
``REQUESTS_CA_BUNDLE`` or else ``CURL_CA_BUNDLE`` (requests' variables, a file or a
directory), and ``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` (OpenSSL's); with none set,
OpenSSL's default store. So WSClient keeps trusting what ``SSL_CERT_FILE`` names
and SSEClient what ``REQUESTS_CA_BUNDLE`` names, as before, and now each trusts
both. An explicit ``verify=`` path or False wins over the environment. The
environment is read for each connection.
"""

from __future__ import annotations

import os
import ssl
import threading
from collections.abc import Mapping

from ..errors import ConnectError

__all__ = [
    "CertArg",
    "Locations",
    "TLSConfig",
    "VerifyArg",
    "ca_from_env",
    "check_tls_arguments",
]

VerifyArg = bool | str
CertArg = str | tuple[str, str]
#: requests' variables first, as requests reads them; then OpenSSL's.
_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def check_tls_arguments(
    verify: object, cert: object, key_password: object, truststore: object
) -> None:
    """Raise a TypeError or ValueError naming the argument that cannot be used."""
    if not isinstance(verify, bool | str):
        raise TypeError(f"verify must be True, False or a CA bundle path, got {verify!r}")
    if isinstance(verify, str) and not os.path.exists(verify):
        raise ValueError(f"verify: no CA bundle file or directory at {verify!r}")
    if cert is not None:
        paths = (cert,) if isinstance(cert, str) else cert
        if not (
            isinstance(paths, tuple)
            and len(paths) in (1, 2)
            and all(isinstance(p, str) for p in paths)
        ):
            raise TypeError(
                f"cert must be a PEM path or a (cert, key) tuple of paths, got {cert!r}"
            )
        for path in paths:
            if not os.path.isfile(path):
                raise ValueError(f"cert: no such file {path!r}")
    if key_password is not None and not isinstance(key_password, str | bytes):
        raise TypeError("key_password must be a str or bytes")
    if not isinstance(truststore, bool):
        raise TypeError(f"truststore must be a bool, got {truststore!r}")
    if truststore:
        try:
            import truststore as _  # noqa: F401, PLC0415 - optional dependency
        except ImportError:
            raise ValueError(
                "truststore=True needs the truststore package: pip install 'pushsdk[truststore]'"
            ) from None


#: Contexts built, shared by every client with the same settings: a CA bundle costs
#: some 20 ms and 50 KiB per load, and a context may serve many connections at once.
_CONTEXTS: dict[object, ssl.SSLContext] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 16

#: CA locations: (file, directory) pairs for ``load_verify_locations``.
Locations = tuple[tuple[str | None, str | None], ...]


def ca_from_env(environ: Mapping[str, str] | None = None) -> Locations:
    """The CA locations the environment names (see the module docstring)."""
    env = os.environ if environ is None else environ
    found: list[tuple[str | None, str | None]] = []
    bundle = next((env[name] for name in _BUNDLE_VARIABLES if env.get(name)), None)
    if bundle:
        found.append(_location(bundle))
    cafile = env.get("SSL_CERT_FILE") or None
    if cafile is not None and found and found[0][0] == cafile:
        cafile = None  # the same bundle: loaded once
    capath = env.get("SSL_CERT_DIR") or None
    if cafile or capath:
        found.append((cafile, capath))
    return tuple(found)


def _stamp(path: str | None) -> tuple[str | None, int]:
    """``path`` and its modification time (0 if none, or unreadable: loading says why)."""
    try:
        return path, 0 if path is None else os.stat(path).st_mtime_ns
    except OSError:
        return path, 0


def _location(path: str) -> tuple[str | None, str | None]:
    return (None, path) if os.path.isdir(path) else (path, None)


class TLSConfig:
    """The TLS arguments of a client; ``context()`` builds (and caches) its context.

    Built when first needed (none for a ws:// client), except with a CA file or a
    client certificate, checked at once; shared by the clients with the same settings.
    The cache is keyed by the CA locations in force too, so that a change of the CA
    variables takes effect at the next connection.
    """

    def __init__(
        self,
        verify: VerifyArg = True,
        cert: CertArg | None = None,
        key_password: str | bytes | None = None,
        truststore: bool = False,
    ) -> None:
        check_tls_arguments(verify, cert, key_password, truststore)
        self.verify = verify
        self.cert = cert
        self.key_password = key_password
        self.truststore = truststore
        # Files given here fail here, not at every attempt: a wrong key password, a
        # broken PEM, a CA file that holds no certificate.
        if cert is not None or isinstance(verify, str):
            try:
                self.context()
            except ConnectError as exc:
                raise ValueError(
                    f"{exc}; verify= takes a PEM file or directory of CA certificates"
                ) from exc.__cause__

    def locations(self) -> Locations:
        """The CA locations in force now (none: OpenSSL's default store)."""
        if isinstance(self.verify, str):
            return (_location(self.verify),)
        return ca_from_env() if self.verify else ()

    def context(self) -> ssl.SSLContext:
        """The context for a connection made now.

        Raises:
            ConnectError: a CA location or the client certificate cannot be loaded.
        """
        locations = self.locations()
        cert = (self.cert,) if isinstance(self.cert, str) else self.cert or ()
        # Modification times too: a renewed certificate or bundle is loaded again.
        key = (
            self.verify,
            self.truststore,
            self.key_password,
            tuple((_stamp(f), _stamp(d)) for f, d in locations),
            tuple(map(_stamp, cert)),
        )
        with _CACHE_LOCK:
            context = _CONTEXTS.get(key)
        if context is not None:
            return context
        try:
            context = self._build(locations)
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
            where = ", ".join(p for pair in locations for p in pair if p) or "default store"
            raise ConnectError(
                f"cannot use these TLS settings (CA: {where}; cert: {self.cert!r}): {exc}"
            ) from exc
        with _CACHE_LOCK:
            while len(_CONTEXTS) >= _CACHE_SIZE:
                del _CONTEXTS[next(iter(_CONTEXTS))]  # the oldest
            _CONTEXTS[key] = context
        return context

    def _build(self, locations: Locations) -> ssl.SSLContext:
        context: ssl.SSLContext
        if self.truststore and self.verify is not False:
            import truststore  # noqa: PLC0415 - optional dependency

            context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        elif self.verify is False:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        elif locations:
            (cafile, capath), locations = locations[0], locations[1:]
            context = ssl.create_default_context(cafile=cafile, capath=capath)
        else:
            context = ssl.create_default_context()
        if self.verify is not False:
            for cafile, capath in locations:
                context.load_verify_locations(cafile, capath)
        if self.cert is not None:
            paths = (self.cert,) if isinstance(self.cert, str) else self.cert
            context.load_cert_chain(
                paths[0], paths[1] if len(paths) > 1 else None, self.key_password
            )
        return context
