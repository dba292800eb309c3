"""The command line: curl/websocat-style request options, --version, URLs without a scheme."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import pushsdk
from pushsdk_monitor.__main__ import _parser, main, request_from_args
from pushsdk_monitor.connection.clients import ConnectOptions
from pushsdk_monitor.main_window import MainWindow
from tests.gui.fakes import FakeFactory
from tests.servers.tls import server_context, trust_ca
from tests.servers.ws_server import WSServer


def parse(*argv: str) -> tuple[list[str], ConnectOptions]:
    return request_from_args(_parser().parse_args(argv))


def test_headers_method_data_and_event_key() -> None:
    urls, options = parse(
        "https://api.test/v1/stream",
        "-H",
        "Authorization: Bearer k",
        "--header",
        "X-Trace:1",
        "-d",
        '{"q": 1}',
    )
    assert urls == ["https://api.test/v1/stream"]
    assert options.headers == {"Authorization": "Bearer k", "X-Trace": "1"}
    assert (options.method, options.body, options.on_open) == ("POST", '{"q": 1}', ())
    assert parse("http://h/s", "-X", "put")[1].method == "PUT"
    _, explicit = parse("http://h/s", "-X", "put", "-d", "x")
    assert explicit.method == "PUT"
    _, ws = parse("ws://h/feed", "-d", '{"op": "subscribe"}', "--event-key", "type")
    assert (ws.on_open, ws.body, ws.event_key) == (('{"op": "subscribe"}',), "", "type")


def test_a_url_without_scheme_gets_ws() -> None:
    urls, _ = parse("localhost:8080/feed", "wss://h/x")
    assert urls == ["ws://localhost:8080/feed", "wss://h/x"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ws://h", "-H", "no colon"], "Name: value"),
        (["http://h", "-X", "P O"], "method"),
        (["ws://h", "http://h", "-d", "x"], "not both"),
    ],
)
def test_bad_options_exit_with_a_reason(capsys, argv: list[str], message: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"pushsdk-monitor {pushsdk.__version__}"


def test_options_fill_the_tab(qtbot, settings, fake_factory: FakeFactory) -> None:
    _, options = parse("http://h/s", "-H", "A: 1", "-d", "body")
    window = MainWindow(settings, factory=fake_factory)
    qtbot.addWidget(window)
    tab = window.new_tab("http://h/s", connect=True, options=options)
    assert tab.bar.method_combo.currentText() == "POST"
    sent = fake_factory.last.options
    assert (sent.headers, sent.method, sent.body) == ({"A": "1"}, "POST", "body")
    window.close()


@pytest.fixture(params=["ws", "wss"])
def trusted_server(request, ws_ca, ws_ca_file: str, monkeypatch) -> Iterator[WSServer]:
    """A ws:// or wss:// server whose CA default client contexts trust."""
    if request.param == "wss":
        trust_ca(monkeypatch, ws_ca_file)
    server = WSServer(server_context(ws_ca) if request.param == "wss" else None)
    yield server
    server.stop()


def test_the_command_line_subscribes_on_open(
    qtbot, tmp_path: Path, capsys, trusted_server: WSServer
) -> None:
    """End to end: ``pushsdk-monitor host:port/path -d MESSAGE`` sends it once open."""
    server = trusted_server
    got = threading.Event()

    def handler(conn) -> None:  # type: ignore[no-untyped-def]
        for message in conn:
            server.received.append(message)
            got.set()

    server.handler = handler
    wss = server.url.startswith("wss")
    url = server.url if wss else server.url.removeprefix("ws://")
    shot = tmp_path / "shot.png"
    assert main([url, "-d", "subscribe", "--screenshot", str(shot), "--after", "0.5"]) == 0
    assert got.wait(5)
    assert server.received[0] == "subscribe"
    if not wss:
        assert "no scheme" in capsys.readouterr().err


def test_options_between_urls_apply_to_every_url(
    qtbot, tmp_path: Path, trusted_server: WSServer
) -> None:
    """``pushsdk-monitor URL -H 'X: 1' URL2``, as curl takes it, was refused with
    "unrecognized arguments: URL2"; now both tabs connect with the header."""
    server = trusted_server
    other = server.url.replace("/path?q=1", "/other")
    shot = tmp_path / "shot.png"
    argv = [server.url, "-H", "X-Trace: t1", other, "--screenshot", str(shot), "--after", "0.5"]
    assert main(argv) == 0
    assert server.wait_connections(2)
    assert sorted(h["X-Trace"] for h in server.request_headers) == ["t1", "t1"]
