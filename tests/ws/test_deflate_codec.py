"""Inflater and Deflater, sans I/O, with each zlib the client can inflate with.

``backend`` (tests/ws/conftest.py) runs each inflater test with the standard
library's zlib and with zlib-ng: the same rules must hold whichever is installed.
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
import random
import subprocess
import sys
import tracemalloc
import zlib

import pytest

from pushsdk._ws import deflate
from pushsdk._ws.deflate import TAIL, Backend, Deflater, InflateError, Inflater, Negotiated
from tests.ws.deflate_distance import farthest_reference


def documents(count: int, seed: int = 0) -> list[bytes]:
    """JSON of 130 B to ~40 KiB, similar enough to each other to reference back."""
    rng = random.Random(seed)
    return [
        json.dumps(
            [{"id": i, "px": f"{rng.random():.4f}"} for i in range(rng.randrange(4, 999))]
        ).encode()
        for _ in range(count)
    ]


def server_messages(payloads: list[bytes], bits: int = 15, reset: bool = False) -> list[bytes]:
    """What a server sends: each payload deflated, sync-flushed, the tail stripped."""
    zobj = zlib.compressobj(6, zlib.DEFLATED, -max(9, bits))
    out = []
    for payload in payloads:
        if reset:
            zobj = zlib.compressobj(6, zlib.DEFLATED, -max(9, bits))
        out.append((zobj.compress(payload) + zobj.flush(zlib.Z_SYNC_FLUSH))[:-4])
    return out


@pytest.mark.parametrize("reset", [False, True], ids=["takeover", "no-takeover"])
@pytest.mark.parametrize("bits", [8, 9, 12, 15])
def test_inflater_reads_what_the_server_sent(backend: Backend, bits: int, reset: bool) -> None:
    """Whole (``message``) and in pieces (``inflate`` + ``finish``), window and reset as agreed."""
    payloads = documents(30)
    whole, pieces = Inflater(bits, reset, backend), Inflater(bits, reset, backend)
    for payload, data in zip(payloads, server_messages(payloads, bits, reset), strict=True):
        assert whole.message(data, 1 << 20) == payload
        chunks = [pieces.inflate(data[i : i + 100], 1 << 20) for i in range(0, len(data), 100)]
        assert b"".join(chunks) + pieces.finish(1 << 20) == payload


def test_no_context_takeover_forgets_the_previous_message(backend: Backend) -> None:
    """Asked to reset, the inflater cannot follow a back-reference into the last message."""
    first, second = server_messages([b"the same words again " * 10] * 2)
    keeps, forgets = Inflater(15, False, backend), Inflater(15, True, backend)
    assert keeps.message(first, 1000) == forgets.message(first, 1000)
    assert keeps.message(second, 1000) == b"the same words again " * 10
    with pytest.raises(InflateError, match="corrupt deflate data"):
        forgets.message(second, 1000)


def test_inflater_never_outputs_more_than_asked(backend: Backend) -> None:
    """A bomb (20 MiB of zeros in ~20 KiB) yields ``limit`` bytes and holds at most twice
    that: CPython's zlib joins its output blocks into the bytes it returns (zlib-ng
    holds about ``limit``)."""
    zobj = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = (zobj.compress(bytes(20 << 20)) + zobj.flush(zlib.Z_SYNC_FLUSH))[:-4]
    assert len(Inflater(15, False, backend).inflate(bomb, 1001)) == 1001
    tracemalloc.start()
    try:
        out = Inflater(15, False, backend).message(bomb, 1 << 20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(out) == 1 << 20
    assert peak < len(bomb) + 2 * (1 << 20) + (128 << 10), f"{peak / 1024:.0f} KiB"


@pytest.mark.parametrize("data", [b"\xff" * 16, b"\x07" + bytes(30)], ids=["block-7", "stored"])
def test_corrupt_data_is_an_inflate_error(backend: Backend, data: bytes) -> None:
    """Whatever exception the backend raises, the reader sees InflateError (then 1002)."""
    with pytest.raises(InflateError, match="corrupt deflate data"):
        Inflater(15, False, backend).message(data, 1000)
    with pytest.raises(InflateError, match="corrupt deflate data"):
        Inflater(15, False, backend).inflate(data, 1000)


def test_final_block_starts_a_new_stream_and_nothing_may_follow_it(backend: Backend) -> None:
    final = zlib.compressobj(6, zlib.DEFLATED, -15)
    ended = final.compress(b"final block") + final.flush()
    inflater = Inflater(15, False, backend)
    assert inflater.message(ended, 1000) == b"final block"
    assert inflater.message(server_messages([b"a new stream"])[0], 1000) == b"a new stream"
    with pytest.raises(InflateError, match="after the final deflate block"):
        inflater.message(ended + b"\x00", 1000)
    pieces = Inflater(15, False, backend)
    assert pieces.inflate(ended, 1000) == b"final block"
    with pytest.raises(InflateError, match="after the final deflate block"):
        pieces.inflate(b"\x00", 1000)


def test_compressed_connection_holds_under_64_kib_of_zlib_state(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a message each way, with context takeover both ways (the costly case)."""
    monkeypatch.setattr(deflate, "INFLATE_BACKEND", backend)
    payload = b'{"e":"trade","s":"BTCUSDT","p":"43210.12","q":"0.001"}' * 20
    (message,) = server_messages([payload])
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        agreed = Negotiated()
        inflater, deflater = agreed.inflater(), agreed.deflater()
        assert inflater.backend is backend
        assert inflater.inflate(message, 1 << 20) + inflater.finish(1 << 20) == payload
        sent = deflater.compress(payload)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert zlib.decompressobj(-15).decompress(sent + TAIL) == payload
    assert held < 64 * 1024, f"{held / 1024:.1f} KiB"


@pytest.mark.parametrize("reset", [False, True], ids=["takeover", "no-takeover"])
def test_an_idle_connection_holds_no_zlib_state(backend: Backend, reset: bool) -> None:
    """Nothing until the first compressed message; and, when the server resets its
    context per message, nothing again after each one (zlib-ng 2.2+ allocates 41 KiB
    the moment a decompressor is made)."""
    payload = b'{"e":"trade","s":"BTCUSDT","p":"43210.12","q":"0.001"}' * 20
    (message,) = server_messages([payload])
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        inflater = Inflater(15, reset, backend)
        idle = tracemalloc.get_traced_memory()[0] - before
        assert inflater.message(message, 1 << 20) == payload
        after_one = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert idle < 1024, f"{idle} B before any message"
    if reset:
        assert after_one < 1024, f"{after_one} B kept after a message with no context takeover"
    else:  # the server's window is kept for the next message
        assert after_one > 16 * 1024 or (backend.name == "zlib" and after_one > 1024)


@pytest.mark.parametrize("reset", [False, True], ids=["takeover", "no-takeover"])
@pytest.mark.parametrize("bits", [8, 9, 11, 15])
def test_deflater_stays_within_the_agreed_window(bits: int, reset: bool) -> None:
    """What we send inflates with the server's window, and never reaches further back
    than it holds: 2^bits - 262 (zlib's lookahead), 250 for the 8-bit window as 9."""
    payloads = [*documents(20, seed=1), bytes(range(251)) * 40, random.Random(2).randbytes(3000)]
    deflater = Deflater(bits, reset)
    server = zlib.decompressobj(-bits)  # zlib inflates with a true 8-bit window
    stream = []
    for payload in payloads:
        data = deflater.compress(payload) + TAIL
        if reset:
            server = zlib.decompressobj(-bits)
            assert farthest_reference(data) <= len(payload)
        assert server.decompress(data) == payload
        stream.append(data)
    farthest = farthest_reference(b"".join(stream))
    assert farthest <= (1 << max(9, min(bits, 11))) - 262
    assert farthest > 200, "the data never tested the window"


@pytest.mark.skipif(platform.python_implementation() != "CPython", reason="zlib-ng is for CPython")
def test_with_the_speedups_extra_zlib_ng_inflates_by_default() -> None:
    requires = importlib.metadata.requires("pushsdk") or []
    speedups = [r for r in requires if r.startswith("zlib-ng") and 'extra == "speedups"' in r]
    assert speedups and "CPython" in speedups[0], requires
    assert not [r for r in requires if r.startswith("zlib-ng") and "extra ==" not in r]
    assert deflate.INFLATE_BACKEND is deflate.BACKENDS["zlib-ng"]
    assert Negotiated().inflater().backend.name == "zlib-ng"


def test_without_zlib_ng_the_standard_library_inflates() -> None:
    """zlib-ng made unimportable (as on PyPy): the module falls back to zlib and works."""
    code = """if True:
        import sys, zlib
        sys.modules["zlib_ng"] = None  # import zlib_ng now raises ImportError
        from pushsdk._ws import deflate
        inflater = deflate.Negotiated().inflater()
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)  # (compress(wbits=) is 3.11+)
        data = compressor.compress(b"x" * 999) + compressor.flush(zlib.Z_SYNC_FLUSH)
        inflated = inflater.message(data[:-4], 999)
        print(sorted(deflate.BACKENDS), inflater.backend.name, inflated == b"x" * 999)
    """
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["['zlib']", "zlib", "True"]
