"""Arguments that reach the wire fail in the constructor, naming the argument.

Before, a CR or LF in a header value, origin or subprotocol was written into the
request as an extra header line (WS), or refused by requests at send time and then
retried for ever (SSE); a host label over 63 characters, a contradictory ``sslopt``
or a ``json=`` body that cannot be serialised crashed the client thread later.
(Issue 10 items 10 and 11, issue 11 item 6.)
"""

from __future__ import annotations

import math
import ssl
from typing import Any

import pytest

from pushsdk import SSEClient, WSClient

CLIENTS: dict[str, tuple[Any, str]] = {
    "ws": (WSClient, "ws://127.0.0.1:1/"),
    "sse": (SSEClient, "http://127.0.0.1:1/"),
}
KINDS = sorted(CLIENTS)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "value", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\0b"], ids=["crlf", "lf", "cr", "nul"]
)
def test_a_line_break_in_a_header_value_is_refused(kind: str, value: str) -> None:
    cls, url = CLIENTS[kind]
    with pytest.raises(ValueError, match=r"headers\['X-Token'\] must not contain CR, LF or NUL"):
        cls(url, headers={"X-Token": value})


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ["X Token", "X-Token:", "", "X-\r\nInjected", "é"])
def test_a_header_name_must_be_a_token(kind: str, name: str) -> None:
    cls, url = CLIENTS[kind]
    with pytest.raises(ValueError, match="headers has an invalid header name"):
        cls(url, headers={name: "v"})


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("a" * 64 + ".example", "IDNA encoding fails.*63 characters"),
        ("bad host.example", "space, a control character"),
        ("a..example", "empty label"),
        (".".join(["a" * 60] * 5), "longer than 253"),
    ],
    ids=["label-over-63", "space", "empty-label", "over-253"],
)
def test_an_unusable_host_name_is_refused(kind: str, host: str, reason: str) -> None:
    cls, url = CLIENTS[kind]
    scheme = url.split(":", 1)[0]
    with pytest.raises(ValueError, match=f"url has an invalid host name .*{reason}"):
        cls(f"{scheme}://{host}/")


@pytest.mark.parametrize("kind", KINDS)
def test_idn_and_ip_hosts_are_accepted(kind: str) -> None:
    cls, url = CLIENTS[kind]
    scheme = url.split(":", 1)[0]
    for host in ("bücher.example", "[::1]", "127.0.0.1", "localhost.", "a" * 63 + ".example"):
        cls(f"{scheme}://{host}:1/")


def test_a_url_for_the_other_client_names_it() -> None:
    with pytest.raises(ValueError, match=r"url must be a ws:// or wss:// .*use SSEClient"):
        WSClient("https://127.0.0.1/events")
    with pytest.raises(ValueError, match=r"url must be an http:// or https:// .*use WSClient"):
        SSEClient("wss://127.0.0.1/socket")


@pytest.mark.parametrize("kind", KINDS)
def test_a_url_without_a_host_does_not_name_the_client_itself(kind: str) -> None:
    cls, url = CLIENTS[kind]
    scheme = url.split(":", 1)[0]
    with pytest.raises(ValueError, match="URL with a host") as caught:
        cls(f"{scheme}://")
    assert "use " not in str(caught.value), caught.value


@pytest.mark.parametrize("origin", ["https://a.example\r\nX-Injected: 1", "o\nx", "o\0"])
def test_a_line_break_in_origin_is_refused(origin: str) -> None:
    with pytest.raises(ValueError, match="origin must not contain CR, LF or NUL"):
        WSClient("ws://127.0.0.1:1/", origin=origin)


@pytest.mark.parametrize("subprotocol", ["chat\r\nX-Injected: 1", "a b", "a,b", ""])
def test_subprotocols_must_be_tokens(subprotocol: str) -> None:
    with pytest.raises(ValueError, match="subprotocols must hold tokens"):
        WSClient("ws://127.0.0.1:1/", subprotocols=["ok", subprotocol])


@pytest.mark.parametrize(
    ("sslopt", "pattern"),
    [
        ({"cert_reqs": ssl.CERT_NONE, "check_hostname": True}, "check_hostname"),
        ({"ca_certs": "/nonexistent/ca.pem"}, "No such file"),
        ({"cert_reqs": "none"}, "cannot be interpreted as an integer"),
        ({"ciphers": "NO-SUCH-CIPHER"}, "cipher"),
    ],
    ids=["cert-none-with-check-hostname", "missing-ca-file", "bad-cert-reqs", "bad-ciphers"],
)
def test_an_unusable_sslopt_fails_at_the_call(sslopt: dict[str, Any], pattern: str) -> None:
    with pytest.raises(ValueError, match=f"sslopt cannot make a TLS context.*{pattern}"):
        WSClient("wss://127.0.0.1:1/", sslopt=sslopt)


def test_an_unusable_server_hostname_fails_at_the_call() -> None:
    with pytest.raises(ValueError, match=r"sslopt\['server_hostname'\] has an invalid host name"):
        WSClient("wss://127.0.0.1:1/", sslopt={"server_hostname": "x" * 64 + ".example"})


def test_a_server_side_ssl_context_is_refused() -> None:
    with pytest.raises(ValueError, match="ssl_context is a server context"):
        WSClient("wss://127.0.0.1:1/", ssl_context=ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER))


def test_sslopt_without_verification_still_works() -> None:
    client = WSClient("wss://127.0.0.1:1/", sslopt={"cert_reqs": ssl.CERT_NONE})
    assert client.sslopt == {"cert_reqs": ssl.CERT_NONE}


@pytest.mark.parametrize(
    ("body", "error", "pattern"),
    [
        ({"when": object()}, TypeError, "not JSON serializable"),
        ({1, 2}, TypeError, "not JSON serializable"),
        ({"x": math.nan}, ValueError, "Out of range float"),
    ],
    ids=["object", "set", "nan"],
)
def test_sse_json_that_cannot_be_serialised_fails_at_the_call(
    body: object, error: type[Exception], pattern: str
) -> None:
    with pytest.raises(error, match=f"json cannot be serialised: .*{pattern}"):
        SSEClient("http://127.0.0.1:1/", method="POST", json=body)


def test_sse_json_that_can_be_serialised_is_kept() -> None:
    client = SSEClient("http://127.0.0.1:1/", method="POST", json={"q": [1, "two"]})
    assert client.json == {"q": [1, "two"]}


def test_unknown_sslopt_keys_are_refused_even_with_an_ssl_context() -> None:
    with pytest.raises(ValueError, match="sslopt has unknown keys: verify"):
        WSClient(
            "wss://127.0.0.1:1/", ssl_context=ssl.create_default_context(), sslopt={"verify": 0}
        )
