"""Smaller widgets: the request dialog, the rate chart, the log view's scrolling."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from pushsdk_monitor.connection.clients import ConnectOptions
from pushsdk_monitor.models.filter_proxy import FilterProxy
from pushsdk_monitor.models.log_model import LogModel
from pushsdk_monitor.models.rate import RateSeries
from pushsdk_monitor.models.records import make_record
from pushsdk_monitor.views.log_view import ROW_HEIGHT, LogView
from pushsdk_monitor.views.rate_chart import RateChart
from pushsdk_monitor.views.request_dialog import MASK, RequestDialog


def test_request_dialog_keeps_bad_headers_open(qtbot) -> None:
    dialog = RequestDialog(ConnectOptions(headers={"A": "1"}), sse=True)
    qtbot.addWidget(dialog)
    assert dialog.headers_edit.toPlainText() == "A: 1\n"
    dialog.headers_edit.setPlainText("Authorization: Bearer t\nbroken line")
    dialog.accept()
    assert dialog.error_label.text() == "line 2: expected 'Name: value'"
    assert dialog.result() == 0
    dialog.headers_edit.setPlainText("Authorization: Bearer t")
    dialog.body_edit.setPlainText('{"q": 1}')
    dialog.accept()
    assert dialog.result() == 1
    assert (dialog.headers, dialog.body) == ({"Authorization": "Bearer t"}, '{"q": 1}')


def test_request_dialog_has_no_body_for_websocket(qtbot) -> None:
    dialog = RequestDialog(ConnectOptions(), sse=False)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.body_edit.isHidden()
    assert dialog.subprotocols_edit.isVisibleTo(dialog)


def test_request_dialog_masks_secrets_and_keeps_them(qtbot) -> None:
    secret = {"Authorization": "Bearer sk-123456789", "X-Trace": "1"}
    dialog = RequestDialog(ConnectOptions(headers=secret), sse=False)
    qtbot.addWidget(dialog)
    shown = dialog.headers_edit.toPlainText()
    assert "sk-123456789" not in shown and f"Authorization: {MASK}" in shown
    assert "X-Trace: 1" in shown
    dialog.show_secrets.setChecked(True)
    assert "Bearer sk-123456789" in dialog.headers_edit.toPlainText()
    dialog.show_secrets.setChecked(False)
    dialog.headers_edit.setPlainText(dialog.headers_edit.toPlainText() + "X-New: 2\n")
    dialog.accept()
    assert dialog.options.headers == {**secret, "X-New": "2"}


def test_request_dialog_edits_connection_options(qtbot, tmp_path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    dialog = RequestDialog(ConnectOptions(), sse=False)
    qtbot.addWidget(dialog)
    dialog.subprotocols_edit.setText("graphql-ws, mqtt ,")
    dialog.verify_check.setChecked(True)
    dialog.ca_edit.setText(str(ca))
    dialog.proxy_edit.setText("http://127.0.0.1:3128")
    dialog.close_code_spin.setValue(2000)
    dialog.accept()
    assert "3000-4999" in dialog.error_label.text()
    assert dialog.result() == 0
    dialog.close_code_spin.setValue(4001)
    dialog.close_reason_edit.setText("bye")
    dialog.accept()
    assert dialog.result() == 1
    options = dialog.options
    assert options.subprotocols == ("graphql-ws", "mqtt")
    assert (options.verify, options.ca_file, options.proxy) == (
        False,
        str(ca),
        "http://127.0.0.1:3128",
    )
    assert (options.close_code, options.close_reason) == (4001, "bye")


def test_connect_options_refuse_what_the_sdk_would_refuse_later(tmp_path) -> None:
    for bad, message in (
        (ConnectOptions(close_code=1001), "close code"),
        (ConnectOptions(close_reason="x" * 124), "123 bytes"),
        (ConnectOptions(ca_file=str(tmp_path / "missing.pem")), "is not a file"),
        (ConnectOptions(proxy="socks5://h:1"), "proxy"),
    ):
        with pytest.raises(ValueError, match=message):
            bad.check()
    ConnectOptions(close_code=3000, close_reason="ok").check()


def test_rate_chart_paints_bars_for_the_last_minute(qtbot) -> None:
    series = RateSeries(60)
    chart = RateChart(series)
    qtbot.addWidget(chart)
    chart.resize(360, 60)
    image = chart.grab().toImage()
    bar = QColor("#3b7dd8")
    assert not any(image.pixelColor(x, 55) == bar for x in range(360))
    series.add(100.0, 40)
    series.add(101.0, 10)  # 100.0 becomes the last complete second
    chart.refresh()
    image = chart.grab().toImage()
    bar_pixels = [x for x in range(360) if image.pixelColor(x, 55) == bar]
    assert bar_pixels and min(bar_pixels) > 300  # newest on the right
    assert series.last_rate() == 40


def test_rows_being_read_stay_put_while_old_rows_are_evicted(qtbot) -> None:
    model = LogModel(capacity=200)
    view = LogView()
    qtbot.addWidget(view)
    view.setModel(FilterProxy(model))
    view.resize(600, 20 * ROW_HEIGHT)
    view.show()
    model.append([make_record(f"m{i}") for i in range(200)])
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 50)  # the view lays out on the event loop
    bar.setSliderPosition(50)  # as the user drags the scroll bar: stop following
    assert not view.follow_tail
    top = view.indexAt(view.viewport().rect().topLeft()).row()
    assert model.record(top).payload == "m50"
    view.before_append()
    model.append([make_record(f"n{i}") for i in range(10)])
    view.after_append()
    top = view.indexAt(view.viewport().rect().topLeft()).row()
    assert model.record(top).payload == "m50"
    assert bar.value() == 40
