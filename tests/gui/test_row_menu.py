"""Right-click on a row: copy (text, JSON, curl/websocat), send again, filter by event;
the "Latest (N new)" button; the Events menu's "Only" and "Show all"."""

from __future__ import annotations

import json
import shlex
import subprocess

import pytest
import trustme
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractSlider, QApplication

from pushsdk_monitor.connection.clients import ConnectOptions
from pushsdk_monitor.formats.commands import command_for
from pushsdk_monitor.models.records import Direction, LogRecord
from pushsdk_monitor.tab import ConnectionTab
from tests.gui.fakes import FakeClient, FakeFactory
from tests.servers.sse_server import SSEConn, SSEServer
from tests.servers.tls import server_context

URL = "ws://fake.test/feed"
WAIT_MS = 5000


def connected(qtbot, tab: ConnectionTab, factory: FakeFactory, **options) -> FakeClient:
    assert tab.connect_to(URL, ConnectOptions(**options))
    qtbot.waitUntil(lambda: tab.controller.model.rowCount() == 1, timeout=WAIT_MS)
    return factory.last


def deliver(qtbot, tab: ConnectionTab, client: FakeClient, *messages: tuple) -> None:
    before = tab.controller.model.rowCount()

    def action(c: FakeClient) -> None:
        for message in messages:
            c.message(*message)

    client.do(action)
    qtbot.waitUntil(
        lambda: tab.controller.model.rowCount() == before + len(messages), timeout=WAIT_MS
    )


def last(tab: ConnectionTab, direction: Direction = Direction.IN) -> LogRecord:
    return [r for r in tab.controller.model.records() if r.direction is direction][-1]


def shown_events(tab: ConnectionTab) -> set[str]:
    proxy = tab.controller.proxy
    return {proxy.record(i).event for i in range(proxy.rowCount())}


def test_copy_text_json_and_websocat(qtbot, tab, fake_factory) -> None:
    client = connected(qtbot, tab, fake_factory, headers={"X-Key": "k 1"}, subprotocols=("v2",))
    deliver(qtbot, tab, client, (b"\xff\x00",), ('{"p": 1}', "trade", "7"))
    clipboard = QApplication.clipboard()
    menu = tab.row_menu(last(tab))
    menu.copy_action.trigger()
    assert clipboard.text() == '{"p": 1}'
    menu.copy_json_action.trigger()
    copied = json.loads(clipboard.text())
    assert (copied["event"], copied["id"], copied["data"]) == ("trade", "7", '{"p": 1}')
    assert menu.copy_command_action is not None
    assert menu.copy_command_action.text() == "Copy as websocat command"
    menu.copy_command_action.trigger()
    assert shlex.split(clipboard.text()) == [
        "websocat", "-H", "X-Key: k 1", "--protocol", "v2", URL
    ]  # fmt: skip
    binary = next(r for r in tab.controller.model.records() if r.is_binary)
    tab.row_menu(binary).copy_action.trigger()
    assert clipboard.text() == "ff 00"  # not UTF-8: hex


def test_ctrl_c_copies_the_selected_row(qtbot, tab, fake_factory) -> None:
    client = connected(qtbot, tab, fake_factory)
    deliver(qtbot, tab, client, ("picked",))
    tab.view.selectRow(tab.controller.proxy.rowCount() - 1)
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "picked"


def test_a_sent_message_copies_as_a_command_that_sends_it(qtbot, tab, fake_factory) -> None:
    connected(qtbot, tab, fake_factory)
    tab.composer.editor.setPlainText("it's")
    tab.composer.submit()
    qtbot.waitUntil(
        lambda: any(r.direction is Direction.OUT for r in tab.controller.model.records())
    )
    command = command_for(URL, ConnectOptions(), last(tab, Direction.OUT).payload)
    assert command == "printf '%s\\n' 'it'\"'\"'s' | websocat " + URL
    out = subprocess.run(
        ["sh", "-c", command.replace("| websocat " + URL, "")],
        capture_output=True, text=True, timeout=5, check=True,
    )  # fmt: skip
    assert out.stdout == "it's\n"
    assert command_for(URL, ConnectOptions(verify=False), b"\x01").startswith(
        "echo 01 | xxd -r -p | websocat -k --binary "
    )


def test_send_again_puts_the_message_in_the_composer(qtbot, tab, fake_factory) -> None:
    client = connected(qtbot, tab, fake_factory)
    deliver(qtbot, tab, client, ("text again",), (b"\x01\x02",))
    tab.row_menu(last(tab)).resend_action.trigger()
    assert tab.composer.encoding_combo.currentText() == "Hex"
    assert tab.composer.editor.toPlainText() == "01 02"
    tab.composer.submit()
    qtbot.waitUntil(lambda: client.sent == [b"\x01\x02"], timeout=WAIT_MS)
    text_row = next(r for r in tab.controller.model.records() if r.payload == "text again")
    tab.row_menu(text_row).resend_action.trigger()
    assert (tab.composer.encoding_combo.currentText(), tab.composer.editor.toPlainText()) == (
        "Text",
        "text again",
    )
    system = tab.controller.model.record(0)
    assert not tab.row_menu(system).resend_action.isEnabled()


def test_filter_by_this_event(qtbot, tab, fake_factory) -> None:
    client = connected(qtbot, tab, fake_factory)
    deliver(qtbot, tab, client, ("a", "trade"), ("b", "ping"), ("c", "trade"))
    trade = last(tab)
    tab.row_menu(trade).only_action.trigger()
    assert shown_events(tab) == {"trade"}
    tab.filter_bar.all_events_action.trigger()
    assert shown_events(tab) == {"open", "trade", "ping"}
    tab.row_menu(trade).hide_action.trigger()
    assert shown_events(tab) == {"open", "ping"}
    assert tab.filter_bar.events_button.text() == "Events (1 hidden)"
    only = {a.text(): a for a in tab.filter_bar.only_menu.actions()}
    only["ping"].trigger()
    assert shown_events(tab) == {"ping"}


def test_the_events_arrow_does_not_cover_the_text(tab) -> None:
    button = tab.filter_bar.events_button
    button.setText("Events (12 hidden)")
    text = QFontMetrics(button.font()).horizontalAdvance(button.text())
    assert button.sizeHint().width() >= text + 18


def test_latest_button_counts_new_rows_and_jumps(qtbot, tab, fake_factory) -> None:
    client = connected(qtbot, tab, fake_factory)
    deliver(qtbot, tab, client, *[(f"m{i}",) for i in range(200)])
    view = tab.view
    assert view.latest_button.isHidden()
    view.verticalScrollBar().triggerAction(QAbstractSlider.SliderAction.SliderPageStepSub)
    assert not tab.follow_button.isChecked()
    assert view.latest_button.isHidden()  # nothing new yet
    deliver(qtbot, tab, client, *[(f"n{i}",) for i in range(5)])
    assert view.latest_button.isVisible()
    assert view.latest_button.text() == "↓ Latest (5 new)"
    assert view.viewport().geometry().contains(view.latest_button.geometry())
    qtbot.mouseClick(view.latest_button, Qt.MouseButton.LeftButton)
    assert tab.follow_button.isChecked()
    assert view.latest_button.isHidden()
    bar = view.verticalScrollBar()
    assert bar.value() == bar.maximum()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_curl_command_repeats_the_request(scheme: str, sse_ca: trustme.CA, tmp_path) -> None:
    """The copied curl command, run for real, makes the same request."""
    server = SSEServer(server_context(sse_ca) if scheme == "https" else None)

    def answer(conn: SSEConn) -> None:
        conn.start()
        conn.event("hello")
        conn.end()

    server.handler = answer
    ca = tmp_path / "ca.pem"
    sse_ca.cert_pem.write_to_path(str(ca))
    options = ConnectOptions(
        headers={"Authorization": "Bearer t'x"},
        method="POST",
        body='{"prompt": "it\'s"}',
        ca_file=str(ca) if scheme == "https" else "",
    )
    try:
        command = command_for(server.url, options)
        out = subprocess.run(
            [*shlex.split(command), "--max-time", "5", "-s"],
            capture_output=True, text=True, timeout=10, check=True,
        )  # fmt: skip
        (request,) = server.wait_requests(1)
    finally:
        server.stop()
    assert "data: hello" in out.stdout
    assert (request.method, request.body) == ("POST", b'{"prompt": "it\'s"}')
    assert request.headers["authorization"] == "Bearer t'x"
    assert request.headers["accept"] == "text/event-stream"


def test_ctrl_end_goes_back_to_the_newest_row(qtbot, tab, fake_factory) -> None:
    client = connected(qtbot, tab, fake_factory)
    deliver(qtbot, tab, client, *[(f"m{i}",) for i in range(200)])
    view = tab.view
    view.selectRow(0)
    view.setFocus()
    view.verticalScrollBar().triggerAction(QAbstractSlider.SliderAction.SliderToMinimum)
    assert not tab.follow_button.isChecked()
    qtbot.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert tab.follow_button.isChecked()
