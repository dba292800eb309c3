"""The detail pane's Decoded tab: auto-detection, the manual override, bounded output."""

from __future__ import annotations

import gzip
import json
import time

import cbor2
import msgpack
import pytest
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QApplication

from pushsdk_monitor.models.records import make_record
from pushsdk_monitor.views.detail_pane import TEXT_CAP, DetailPane

DOC = {"type": "trade", "price": 101}


@pytest.fixture
def pane(qtbot) -> DetailPane:
    pane = DetailPane()
    qtbot.addWidget(pane)
    return pane


@pytest.mark.parametrize(
    ("payload", "label"),
    [
        (gzip.compress(json.dumps(DOC).encode(), mtime=0), "gzip → JSON"),
        (msgpack.packb(DOC), "MessagePack"),
        (cbor2.dumps(DOC), "CBOR"),
    ],
)
def test_a_decodable_payload_opens_on_the_decoded_tab(pane, payload: bytes, label: str) -> None:
    pane.show_record(make_record(payload))
    assert pane.tabs.currentIndex() == DetailPane.DECODED
    assert pane.decoded_view.label.text() == label
    assert json.loads(pane.decoded_view.view.toPlainText()) == DOC


@pytest.mark.parametrize(
    ("payload", "tab"),
    [("plain text", DetailPane.TEXT), ('{"a": 1}', DetailPane.JSON), (b"\x00\xff", DetailPane.HEX)],
)
def test_payloads_with_nothing_to_decode_keep_their_tab(pane, payload, tab: int) -> None:
    pane.show_record(make_record(payload))
    assert pane.tabs.currentIndex() == tab


def test_the_override_applies_now_and_to_the_next_messages(pane) -> None:
    ambiguous = cbor2.dumps([1, {"b": 2}])  # also a MessagePack map
    pane.show_record(make_record(ambiguous))
    assert pane.decoded_view.label.text() == "CBOR"
    pane.decoded_view.set_decoder("msgpack")
    assert pane.decoded_view.label.text() == "MessagePack"
    assert json.loads(pane.decoded_view.view.toPlainText()) == {"1": "a", "98": 2}
    pane.show_record(make_record(msgpack.packb({"x": 1})))
    assert pane.decoded_view.decoder == "msgpack"
    assert pane.tabs.currentIndex() == DetailPane.DECODED


def test_a_forced_decoder_that_does_not_fit_says_so_in_red(pane) -> None:
    pane.decoded_view.set_decoder("gzip")
    pane.show_record(make_record("not compressed"))
    label = pane.decoded_view.label
    assert label.text().startswith("not gzip data (")
    assert label.text().endswith("; shown as text")
    assert "#b3261e" in label.styleSheet()
    assert pane.decoded_view.view.toPlainText() == "not compressed"
    with pytest.raises(ValueError, match="unknown decoder 'zstd'"):
        pane.decoded_view.set_decoder("zstd")


def test_a_decompression_bomb_is_cut_and_said_so(pane) -> None:
    bomb = gzip.compress(b"a" * 10_000_000)  # over the 4 MiB decoding limit
    pane.show_record(make_record(bomb))
    assert pane.decoded_view.label.text() == "gzip → text (truncated)"
    assert len(pane.decoded_view.view.toPlainText()) == TEXT_CAP
    assert pane.show_all_button.isVisibleTo(pane)


def test_clearing_the_pane_clears_the_decoded_tab(pane) -> None:
    pane.show_record(make_record(msgpack.packb(DOC)))
    pane.show_record(None)
    assert pane.decoded_view.view.toPlainText() == ""
    assert pane.decoded_view.label.text() == ""


def test_the_decoded_tab_is_filled_when_picked_by_hand(pane) -> None:
    pane.show_record(make_record("plain text"))
    assert pane.decoded_view.view.toPlainText() == ""  # not laid out until looked at
    pane.tabs.setCurrentIndex(DetailPane.DECODED)
    assert pane.decoded_view.view.toPlainText() == "plain text"
    assert pane.decoded_view.label.text() == "text"


def test_a_long_token_is_shown_in_time(qtbot, pane: DetailPane) -> None:
    """A payload that is one long word (base64, hex, a token): Qt lays it out in time
    growing with its square when wrapping at words. "Show all" on 1 MiB froze the
    window for about a minute (0.6 s for the first 100,000 characters); it is wrapped
    anywhere now, and text of words still wraps at words."""
    pane.resize(600, 600)
    pane.show()
    token = "QUJD" * 75_000  # 300,000 characters, no space
    started = time.perf_counter()
    pane.show_record(make_record(token), full=True)
    QApplication.processEvents()
    assert pane.text_view.wordWrapMode() == QTextOption.WrapMode.WrapAnywhere
    pane.tabs.setCurrentIndex(pane.DECODED)  # filled when looked at: base64 of "ABC..."
    QApplication.processEvents()
    elapsed = time.perf_counter() - started
    assert pane.decoded_view.view.wordWrapMode() == QTextOption.WrapMode.WrapAnywhere
    assert elapsed < 3, f"{elapsed:.1f} s"  # about 8 s when wrapped at words
    pane.show_record(make_record("a few words " * 10_000), full=True)
    assert pane.text_view.wordWrapMode() == QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere
