"""``verify=``, ``cert=``, ``key_password=``, ``truststore=`` and the CA variables, on both
clients alike (trustme certificates, real TLS on loopback)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from pushsdk import ConnectError, Remedy, SSEClient, WSClient
from tests.ending import run_to_end
from tests.net.conftest import SYSTEM_BUNDLE, Target, first_message, say_hello, server_context
from tests.servers.sse_server import SSEServer
from tests.servers.ws_server import WSServer


@pytest.fixture(params=["wss", "https"])
def secure(request: pytest.FixtureRequest, servers: dict[str, Target]) -> Target:
    result: Target = servers[request.param]
    return result


@pytest.mark.parametrize("how", ["verify", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_a_custom_ca_by_argument_or_environment(
    secure: Target, how: str, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each variable alone is enough, for both clients; an explicit verify= wins."""
    options: dict[str, object] = {"reconnect": False}
    if how == "verify":
        monkeypatch.setenv("SSL_CERT_FILE", SYSTEM_BUNDLE)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", SYSTEM_BUNDLE)
        options["verify"] = ca_file
    else:
        monkeypatch.setenv(how, ca_file)
    assert first_message(secure.client(**options)) == "hello"


def test_an_unknown_ca_is_fatal_and_says_what_to_do(
    secure: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", SYSTEM_BUNDLE)
    (error,) = run_to_end(secure.client())
    assert isinstance(error, ConnectError)
    assert "issued by 'pushsdk test CA'" in str(error)
    assert "verify=" in str(error) and "truststore=True" in str(error)
    assert str(error).count("unable to get local issuer certificate") == 1, error  # once
    # The advice is the message's end, and the fix is data for tools to word their way.
    assert error.remedy == Remedy("trust-issuer")
    assert error.advice.startswith("; pass verify=") and str(error).endswith(error.advice)
    assert "issued by 'pushsdk test CA'" in str(error).removesuffix(error.advice)


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_verify_false_accepts_any_certificate(secure: Target) -> None:
    assert first_message(secure.client(verify=False, reconnect=False)) == "hello"


def test_truststore_uses_the_system_store(
    secure: Target, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """truststore reads OpenSSL's default locations on Linux, which SSL_CERT_FILE sets."""
    pytest.importorskip("truststore")
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)
    assert first_message(secure.client(truststore=True, reconnect=False)) == "hello"


@pytest.fixture(scope="module")
def other_host(net_ca: trustme.CA) -> Iterator[dict[str, str]]:
    """Servers whose certificate is for another name than the URL's."""
    ws = WSServer(server_context(net_ca, "other.example"))
    sse = SSEServer(server_context(net_ca, "other.example"))
    sse.handler = say_hello
    yield {"ws": ws.url.replace("?q=1", ""), "sse": f"https://localhost:{sse.port}/events"}
    ws.stop()
    sse.stop()


@pytest.mark.parametrize("cls", [WSClient, SSEClient])
def test_a_certificate_for_another_host_names_both_names(
    cls: type[WSClient] | type[SSEClient], other_host: dict[str, str], ca_file: str
) -> None:
    url = other_host["ws" if cls is WSClient else "sse"]
    (error,) = run_to_end(cls(url, verify=ca_file))
    assert "not valid for 'localhost'" in str(error)
    assert "it is for other.example" in str(error)
    # Only trust has a remedy as data: this advice reads the same in any tool.
    assert error.advice == "; connect with a name the certificate was issued for"
    assert str(error).endswith(error.advice) and error.remedy is None


@pytest.fixture(scope="module")
def mtls(net_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Servers that require a client certificate from ``net_ca``, and client key files."""
    directory = tmp_path_factory.mktemp("mtls")
    contexts = []
    for _ in range(2):
        context = server_context(net_ca)
        context.verify_mode = ssl.CERT_REQUIRED
        net_ca.configure_trust(context)
        contexts.append(context)
    ws = WSServer(contexts[0])
    sse = SSEServer(contexts[1])
    sse.handler = say_hello
    client = net_ca.issue_cert("client@example")
    files = {
        "ws": ws.url.replace("?q=1", ""),
        "sse": f"https://localhost:{sse.port}/events",
        "combined": str(directory / "combined.pem"),
        "cert": str(directory / "cert.pem"),
        "key": str(directory / "key.pem"),
        "encrypted": str(directory / "encrypted.pem"),
    }
    client.private_key_and_cert_chain_pem.write_to_path(files["combined"])
    client.cert_chain_pems[0].write_to_path(files["cert"])
    client.private_key_pem.write_to_path(files["key"])
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(client.private_key_pem.bytes(), None)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"s3cret"),
    )
    Path(files["encrypted"]).write_bytes(encrypted)
    yield files
    ws.stop()
    sse.stop()


@pytest.mark.parametrize("cls", [WSClient, SSEClient])
@pytest.mark.parametrize("form", ["combined", "tuple", "encrypted"])
def test_a_client_certificate_for_mutual_tls(
    cls: type[WSClient] | type[SSEClient], form: str, mtls: dict[str, str], ca_file: str
) -> None:
    url = mtls["ws" if cls is WSClient else "sse"]
    options: dict[str, object] = {"verify": ca_file, "reconnect": False}
    if form == "combined":
        options["cert"] = mtls["combined"]
    elif form == "tuple":
        options["cert"] = (mtls["cert"], mtls["key"])
    else:
        options["cert"] = (mtls["cert"], mtls["encrypted"])
        options["key_password"] = "s3cret"
    assert first_message(cls(url, **options)) == "hello"  # type: ignore[arg-type]


@pytest.mark.parametrize("cls", [WSClient, SSEClient])
def test_without_the_client_certificate_the_server_refuses(
    cls: type[WSClient] | type[SSEClient], mtls: dict[str, str], ca_file: str
) -> None:
    url = mtls["ws" if cls is WSClient else "sse"]
    errors = run_to_end(cls(url, verify=ca_file, reconnect=False))
    assert errors and isinstance(errors[0], ConnectError)


@pytest.mark.parametrize("cls", [WSClient, SSEClient])
def test_a_wrong_key_password_fails_in_the_constructor(
    cls: type[WSClient] | type[SSEClient], mtls: dict[str, str]
) -> None:
    url = "wss://h/" if cls is WSClient else "https://h/"
    with pytest.raises(ValueError, match="TLS settings"):
        cls(url, cert=(mtls["cert"], mtls["encrypted"]), key_password="wrong")


@pytest.mark.parametrize(
    "options",
    [
        {"verify": False, "sslopt": {"cert_reqs": ssl.CERT_NONE}},
        {"cert": "x.pem", "ssl_context": ssl.create_default_context()},
        {"truststore": True, "ssl_context": ssl.create_default_context()},
    ],
)
def test_ws_refuses_both_kinds_of_tls_options(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="not both"):
        WSClient("wss://h/", **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("cls", [WSClient, SSEClient])
@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"verify": "/no/such/ca.pem"}, ValueError, "verify"),
        ({"verify": 1}, TypeError, "verify"),
        ({"cert": "/no/such/client.pem"}, ValueError, "cert"),
        ({"cert": ["a", "b"]}, TypeError, "cert"),
        ({"key_password": 1}, TypeError, "key_password"),
        ({"truststore": "yes"}, TypeError, "truststore"),
        ({"proxy": True}, TypeError, "proxy"),
        ({"proxy": "socks5://h"}, ValueError, "port"),
    ],
)
def test_bad_network_options_fail_in_the_constructor(
    cls: type[WSClient] | type[SSEClient],
    options: dict[str, object],
    error: type[Exception],
    match: str,
) -> None:
    url = "wss://h/" if cls is WSClient else "https://h/"
    with pytest.raises(error, match=match):
        cls(url, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("cls", [WSClient, SSEClient])
def test_truststore_without_the_package_names_the_extra(
    cls: type[WSClient] | type[SSEClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "truststore", None)  # import fails
    with pytest.raises(ValueError, match=r"pushsdk\[truststore\]"):
        cls("wss://h/" if cls is WSClient else "https://h/", truststore=True)


@pytest.mark.parametrize("cls", [WSClient, SSEClient])
def test_a_ca_file_that_holds_no_certificate_fails_in_the_constructor(
    cls: type[WSClient] | type[SSEClient], tmp_path: Path
) -> None:
    """Given as ``verify=``, it is the caller's mistake, said at once: before, every
    attempt failed with it and was retried."""
    broken = tmp_path / "hostname"
    broken.write_text("build-42\n")
    url = "wss://h/" if cls is WSClient else "https://h/"
    with pytest.raises(ValueError, match="NO_CERTIFICATE_OR_CRL_FOUND") as raised:
        cls(url, verify=str(broken))
    assert str(broken) in str(raised.value)
    assert str(raised.value).endswith("verify= takes a PEM file or directory of CA certificates")


@pytest.mark.parametrize("cls", [WSClient, SSEClient])
def test_a_ca_variable_naming_a_broken_file_is_a_connect_error_naming_it(
    cls: type[WSClient] | type[SSEClient], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.pem"
    broken.write_text("not a certificate")
    monkeypatch.setenv("SSL_CERT_FILE", str(broken))
    url = "wss://localhost:1/" if cls is WSClient else "https://localhost:1/"
    errors = run_to_end(cls(url, reconnect=False))
    assert isinstance(errors[0], ConnectError) and str(broken) in str(errors[0])


def test_clients_share_a_context_until_a_file_changes(ca_file: str, tmp_path: Path) -> None:
    import os

    from pushsdk._net.tlsconfig import TLSConfig

    bundle = tmp_path / "ca.pem"
    bundle.write_text(Path(ca_file).read_text())
    first = TLSConfig(verify=str(bundle)).context()
    assert TLSConfig(verify=str(bundle)).context() is first  # loaded once
    stat = bundle.stat()
    os.utime(bundle, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a renewed bundle
    assert TLSConfig(verify=str(bundle)).context() is not first
    assert TLSConfig(verify=False).context() is not first
