"""A 1 MiB message over ws:// and wss://: its row says how big it is, whole."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import trustme
from PySide6.QtCore import Qt

from pushsdk_monitor.connection.clients import ConnectOptions, create_client
from pushsdk_monitor.models.log_model import COL_SIZE, size_text
from pushsdk_monitor.models.records import Direction
from pushsdk_monitor.settings import MonitorSettings
from pushsdk_monitor.tab import ConnectionTab
from tests.servers.tls import server_context
from tests.servers.ws_server import WSServer

WAIT_MS = 10_000
MIB = 1024 * 1024


@pytest.fixture(params=["ws", "wss"])
def server(request: pytest.FixtureRequest, ws_ca: trustme.CA) -> Iterator[WSServer]:
    served = WSServer(server_context(ws_ca) if request.param == "wss" else None)
    yield served
    served.stop()


def test_size_text_fits_the_size_column() -> None:
    assert [size_text(n) for n in (0, 99_999, 100_000, 1000 * 1024 - 1)] == [
        "0",
        "99,999",
        "97 KiB",
        "999 KiB",
    ]
    assert [size_text(n) for n in (1000 * 1024, MIB, 16 * MIB)] == ["1.0 MiB", "1.0 MiB", "16 MiB"]


def test_a_1_mib_message_shows_its_size_whole(
    qtbot, settings: MonitorSettings, server: WSServer, ws_ca_file: str
) -> None:
    """The Size cell read "1,048,5…" (a number cut short); now "1.0 MiB", and the
    detail pane gives the exact count."""
    server.handler = lambda conn: (conn.send("x" * MIB), conn.recv())
    tab = ConnectionTab(settings, factory=create_client, capacity=100)
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    trust = {"ca_file": ws_ca_file} if server.url.startswith("wss") else {}
    try:
        assert tab.connect_to(server.url, ConnectOptions(**trust))
        proxy = tab.controller.proxy
        qtbot.waitUntil(lambda: proxy.rowCount() == 2, timeout=WAIT_MS)  # open, the message
        row = 1
        assert proxy.record(row).direction is Direction.IN
        text = proxy.index(row, COL_SIZE).data(Qt.ItemDataRole.DisplayRole)
        assert text == "1.0 MiB"
        view = tab.view
        assert view.fontMetrics().horizontalAdvance(text) + 12 <= view.columnWidth(COL_SIZE)
        view.selectRow(row)
        assert "1,048,576 bytes" in tab.detail.header.text()
    finally:
        tab.shutdown()


@pytest.mark.parametrize("paused", [False, True], ids=["live", "paused"])
def test_big_messages_stay_within_the_byte_budget(
    qtbot, settings: MonitorSettings, server: WSServer, ws_ca_file: str, paused: bool
) -> None:
    """Ten 1 MiB messages into a log that keeps 3.5 MiB: the oldest are evicted or
    dropped, so memory is bounded by bytes and not only by rows (100,000 rows of 1 MiB
    were 100 GiB); the counters still count all ten."""

    def send_ten(conn) -> None:  # type: ignore[no-untyped-def]
        for i in range(10):
            conn.send(f"{i}:" + "x" * (MIB - 2))
        conn.recv()

    server.handler = send_ten
    budget = 3 * MIB + MIB // 2
    tab = ConnectionTab(settings, factory=create_client, capacity=1000, max_bytes=budget)
    qtbot.addWidget(tab)
    tab.show()
    trust = {"ca_file": ws_ca_file} if server.url.startswith("wss") else {}
    controller = tab.controller
    tab.pause_button.setChecked(paused)
    try:
        assert tab.connect_to(server.url, ConnectOptions(**trust))
        qtbot.waitUntil(lambda: controller.counters.messages_in == 10, timeout=WAIT_MS)
        assert controller.counters.bytes_in == 10 * MIB
        tab.pause_button.setChecked(False)
        model = controller.model
        qtbot.waitUntil(lambda: not controller.held, timeout=WAIT_MS)
        kept = [str(r.payload)[:2] for r in model.records() if r.direction is Direction.IN]
        assert kept == ["7:", "8:", "9:"]
        assert model.payload_bytes <= budget
        assert model.evicted + controller.dropped >= 7
        assert "evicted" in tab.shown_label.text() or "dropped" in tab.shown_label.text()
    finally:
        tab.shutdown()
