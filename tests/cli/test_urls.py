"""A mistyped URL is answered with the URL it most likely meant, a bad port in words."""

from __future__ import annotations

import pytest

from pushsdk.cli import main
from tests.cli.harness import Commands


@pytest.mark.parametrize(
    ("url", "meant"),
    [
        ("ws:/host:1234/x", "ws://host:1234/x"),
        ("wss:/host/x", "wss://host/x"),
        ("http:/host:8080/events", "http://host:8080/events"),
        ("https:/host/events", "https://host/events"),
        ("ws:host", "ws://host"),
        ("ws:host:1234/x", "ws://host:1234/x"),
        ("WSS:/host", "wss://host"),
        ("ws//host/x", "ws://host/x"),
        ("ws:/host/x?token=s3cret", "ws://host/x?token=***"),  # no secret on the screen
    ],
)
def test_a_mistyped_scheme_separator_gets_the_url_it_meant(
    capsys: pytest.CaptureFixture[str], url: str, meant: str
) -> None:
    assert main([url]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == f"pushsdk: error: malformed URL: did you mean {meant}?"


@pytest.mark.parametrize(("url", "scheme"), [("ws:", "ws"), ("http:/", "http"), ("wss://", "wss")])
def test_a_scheme_alone_has_no_host(
    capsys: pytest.CaptureFixture[str], url: str, scheme: str
) -> None:
    assert main([url]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"pushsdk: error: URL has no host: {url!r}; e.g. {scheme}://localhost:8080/path"
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ws://127.0.0.1:70000/", "URL: port 70000 is out of range (1-65535)"),
        ("http://127.0.0.1:0/", "URL: port 0 is out of range (1-65535)"),
        ("https://[::1]:99999/", "URL: port 99999 is out of range (1-65535)"),
        ("wss://host:80a/", "URL has a port that is not a number: '80a'"),
    ],
)
def test_a_bad_port_is_named_in_words(
    capsys: pytest.CaptureFixture[str], url: str, message: str
) -> None:
    assert main([url]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"pushsdk: error: {message}"


def test_the_command_says_it_on_stderr_with_status_2(cli: Commands) -> None:
    command = cli.run("ws:/127.0.0.1:1234/x")
    assert command.proc.returncode == 2
    assert command.lines == []
    assert (
        command.errors[-1] == "pushsdk: error: malformed URL: did you mean ws://127.0.0.1:1234/x?"
    )
    command = cli.run("ws://127.0.0.1:70000/")
    assert command.proc.returncode == 2
    assert command.errors[-1] == "pushsdk: error: URL: port 70000 is out of range (1-65535)"
