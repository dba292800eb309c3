"""The LLM view: fed by the log model, live, and against the demo server's chat stream."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from pushsdk_monitor.connection.clients import ConnectOptions, create_client
from pushsdk_monitor.demo_server import DemoServer
from pushsdk_monitor.main_window import MainWindow
from pushsdk_monitor.models.log_model import LogModel
from pushsdk_monitor.models.records import Direction, make_record
from pushsdk_monitor.settings import MonitorSettings
from pushsdk_monitor.tab import ConnectionTab
from pushsdk_monitor.views.llm_view import LlmView
from tests.servers.sse_server import SSEConn, SSEServer
from tests.servers.tls import server_context

WAIT_MS = 10_000


def chunk(content: str | None = None, tool: dict[str, object] | None = None) -> str:
    delta: dict[str, object] = {}
    if content is not None:
        delta["content"] = content
    if tool is not None:
        delta["tool_calls"] = [tool]
    return json.dumps(
        {
            "object": "chat.completion.chunk",
            "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
        }
    )


def opened(at: float) -> object:
    return make_record("connected", direction=Direction.SYSTEM, event="open", timestamp=at)


@pytest.fixture
def model_and_view(qtbot) -> Iterator[tuple[LogModel, LlmView]]:
    model = LogModel(1000)
    view = LlmView(model)
    qtbot.addWidget(view)
    yield model, view


def test_text_and_tool_calls_assemble_as_rows_arrive(qtbot, model_and_view) -> None:
    model, view = model_and_view
    assert view.status_label.text() == "Waiting for an LLM stream…"
    model.append([opened(10.0), make_record(chunk("Hel"), timestamp=10.5)])
    qtbot.waitUntil(lambda: view.text_view.toPlainText() == "Hel", timeout=WAIT_MS)
    model.append(
        [
            make_record(chunk("lo"), timestamp=11.0),
            make_record(
                chunk(
                    tool={"index": 0, "id": "c1", "function": {"name": "f", "arguments": '{"a":'}}
                ),
                timestamp=11.5,
            ),
            make_record(chunk(tool={"index": 0, "function": {"arguments": " 1}"}}), timestamp=12.5),
            make_record("[DONE]", timestamp=12.5),
        ]
    )
    qtbot.waitUntil(lambda: "done" in view.status_label.text(), timeout=WAIT_MS)
    assert view.text_view.toPlainText() == "Hello"
    assert view.tools_view.isVisibleTo(view)
    assert view.tools_view.toPlainText() == '#0 f  (c1)\n{\n  "a": 1\n}'
    assert view.status_label.text() == (
        "OpenAI chat  ·  m  ·  4 tokens (counted deltas)  ·  2.0 tokens/s"
        "  ·  first token 0.50 s after open  ·  done"
    )


def test_a_new_request_starts_a_new_answer_and_clear_empties_it(qtbot, model_and_view) -> None:
    model, view = model_and_view
    model.append([opened(1.0), make_record(chunk("first"), timestamp=1.1)])
    qtbot.waitUntil(lambda: view.text_view.toPlainText() == "first", timeout=WAIT_MS)
    model.append([opened(2.0), make_record(chunk("second"), timestamp=2.1)])
    qtbot.waitUntil(lambda: view.text_view.toPlainText() == "second", timeout=WAIT_MS)
    model.clear()
    qtbot.waitUntil(lambda: view.text_view.toPlainText() == "", timeout=WAIT_MS)
    assert view.state.events == 0


def test_rows_already_in_the_model_are_assembled(qtbot) -> None:
    model = LogModel(10)
    model.append([make_record(chunk("early"), timestamp=1.0)])
    view = LlmView(model)
    qtbot.addWidget(view)
    assert view.text_view.toPlainText() == "early"


def test_errors_are_shown_in_red(qtbot, model_and_view) -> None:
    model, view = model_and_view
    model.append([make_record('{"error": {"message": "quota", "type": "billing"}}')])
    qtbot.waitUntil(lambda: view.error_label.isVisibleTo(view), timeout=WAIT_MS)
    assert view.error_label.text() == "The stream reported an error: billing: quota"


def test_sse_tabs_offer_the_view_and_websocket_tabs_do_not(qtbot, tab) -> None:
    tab.bar.set_url("http://x.test/v1/chat/completions")
    assert tab.side_tabs.isTabVisible(1)
    assert tab.side_tabs.tabBar().isVisibleTo(tab)
    tab.bar.set_url("ws://x.test/feed")
    assert not tab.side_tabs.isTabVisible(1)
    assert tab.side_tabs.currentWidget() is tab.detail


def test_the_demo_chat_stream_assembles_live(
    qtbot, settings: MonitorSettings, demo_server: DemoServer
) -> None:
    window = MainWindow(settings)
    qtbot.addWidget(window)
    tab = window.new_tab(demo_server.chat_url)
    body = json.dumps({"messages": [{"role": "user", "content": "tell me about streams"}]})
    assert tab.connect_to(
        demo_server.chat_url, ConnectOptions(method="POST", body=body, reconnect=False)
    )
    tab.side_tabs.setCurrentWidget(tab.llm_view)
    view = tab.llm_view
    seen: list[str] = []
    view.text_view.textChanged.connect(lambda: seen.append(view.text_view.toPlainText()))
    qtbot.waitUntil(lambda: view.state.done, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "done (stop)" in view.status_label.text(), timeout=WAIT_MS)
    assert view.text_view.toPlainText() == "You said: tell me about streams"
    assert len(seen) > 1 and seen[0] != seen[-1]  # it grew while streaming, not all at once
    assert view.state.tokens == len(range(0, len("You said: tell me about streams"), 4))
    assert view.state.tokens_per_second > 0
    tab.close_connection()
    window.close()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_stream_cut_off_says_so(
    qtbot, settings: MonitorSettings, scheme: str, sse_ca: trustme.CA, tmp_path: Path
) -> None:
    """A POST stream whose connection drops mid-answer said "streaming…" for ever,
    under a Closed badge; now it says it was cut off."""
    served = SSEServer(server_context(sse_ca) if scheme == "https" else None)
    ca_file = tmp_path / "ca.pem"
    sse_ca.cert_pem.write_to_path(str(ca_file))

    shown = threading.Event()

    def answer_then_drop(conn: SSEConn) -> None:
        conn.start()
        for word in ("The ", "answer "):
            conn.event(chunk(word))
        shown.wait(WAIT_MS / 1000)  # a reset at once can discard what TLS has not delivered
        conn.drop()

    served.handler = answer_then_drop
    tab = ConnectionTab(settings, factory=create_client, capacity=1000)
    qtbot.addWidget(tab)
    try:
        options = ConnectOptions(method="POST", body="{}", ca_file=str(ca_file))
        assert tab.connect_to(served.url, options)
        view = tab.llm_view
        qtbot.waitUntil(lambda: view.text_view.toPlainText() == "The answer ", timeout=WAIT_MS)
        assert "streaming…" in view.status_label.text()
        shown.set()
        qtbot.waitUntil(lambda: "cut off" in view.status_label.text(), timeout=WAIT_MS)
        assert "streaming" not in view.status_label.text()
    finally:
        shown.set()
        tab.shutdown()
        served.stop()


def test_a_closed_connection_without_llm_events_stops_waiting(qtbot, model_and_view) -> None:
    model, view = model_and_view
    model.append([opened(1.0), make_record("closed", direction=Direction.SYSTEM, event="close")])
    qtbot.waitUntil(lambda: view.status_label.text().startswith("Connection closed"))


def test_a_websocket_tab_does_not_parse_its_messages_for_the_hidden_view(
    qtbot, tab, fake_factory
) -> None:
    """The LLM view was fed every message of every tab: at 20,000 msg/s a WebSocket tab
    parsed each one as JSON for a view it hides. It follows SSE tabs only."""
    assert tab.connect_to("ws://fake.test/feed")
    fake_factory.last.do(lambda c: [c.message(chunk(w)) for w in ("a", "b")])
    qtbot.waitUntil(lambda: tab.controller.model.rowCount() == 3, timeout=WAIT_MS)
    assert tab.llm_view.state.events == 0
    tab.bar.set_url("http://fake.test/v1/chat")  # offered again: it catches up
    assert tab.llm_view.state.events == 2
    qtbot.waitUntil(lambda: tab.llm_view.text_view.toPlainText() == "ab", timeout=WAIT_MS)
