"""The detail pane's Decoded tab: the payload through a decoder, auto or chosen."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ..decoders import AUTO, DECODERS, Decoded, decode
from ..formats.payload_format import hex_dump
from .text_viewer import set_payload_text

__all__ = ["DecodedView", "shows_more"]

_NAMES = {
    "auto": "Auto-detect",
    "none": "None (as received)",
    "base64": "Base64",
    "gzip": "gzip",
    "zlib": "zlib",
    "deflate": "Raw deflate",
    "msgpack": "MessagePack",
    "cbor": "CBOR",
}


def shows_more(decoded: Decoded) -> bool:
    """Whether the decoding reveals something the raw payload does not show as is."""
    return bool(decoded.steps) or decoded.kind in ("msgpack", "cbor")


class DecodedView(QWidget):
    """A decoder chooser over the decoded text (or a hex dump of decoded bytes).

    The choice stays for the next messages, so a stream the guess gets wrong is
    read with the same override throughout. ``decoder_changed`` says it changed.
    """

    decoder_changed = Signal(str)

    def __init__(self, viewer: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        for name in DECODERS:
            self.combo.addItem(_NAMES[name], name)
        self.combo.setToolTip("How to decode the payload: auto-detected, or forced")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.view = viewer
        top = QHBoxLayout()
        top.addWidget(QLabel("Decoder:"))
        top.addWidget(self.combo)
        top.addWidget(self.label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.decoded: Decoded | None = None
        self.combo.currentIndexChanged.connect(lambda _: self.decoder_changed.emit(self.decoder))

    @property
    def decoder(self) -> str:
        return str(self.combo.currentData())

    def set_decoder(self, name: str) -> None:
        index = self.combo.findData(name)
        if index < 0:
            raise ValueError(f"unknown decoder {name!r}: use one of {', '.join(DECODERS)}")
        self.combo.setCurrentIndex(index)

    def prepare(self, payload: str | bytes | None) -> Decoded | None:
        """Decode ``payload`` with the chosen decoder (None clears); see :meth:`show_decoded`."""
        self.decoded = None if payload is None else decode(payload, self.decoder)
        return self.decoded

    def show_decoded(self, *, text_cap: int | None, hex_cap: int | None) -> bool:
        """Show the prepared decoding: at most ``text_cap`` characters of text, or a hex
        dump of at most ``hex_cap`` bytes. Returns whether it was cut."""
        decoded = self.decoded
        if decoded is None:
            self.label.clear()
            self.view.clear()
            return False
        self.label.setStyleSheet("color: #b3261e" if decoded.error else "")
        self.label.setText(decoded.label)
        if decoded.kind == "binary":
            text = hex_dump(decoded.data, limit=hex_cap)
            cut = hex_cap is not None and len(decoded.data) > hex_cap
        else:
            text = decoded.text
            cut = text_cap is not None and len(text) > text_cap
            if cut:
                text = text[:text_cap]
        set_payload_text(self.view, text)
        return cut

    @property
    def auto(self) -> bool:
        return self.decoder == AUTO
