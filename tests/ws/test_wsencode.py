"""Client frames and their masking keys: byte for byte what websocket-client builds."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st
from websocket import ABNF

from pushsdk._ws.encode import MASKS_PER_CALL, Masks, encode_frame

#: Every length of the one-integer path (< 126), both masking paths, both header sizes.
LENGTHS = [*range(130), 2047, 2048, 2049, 8191, 65535, 65536, 70001]


@pytest.mark.parametrize("opcode", [0x1, 0x2, 0x8, 0x9, 0xA, 0x41, 0x42])
def test_encode_frame_matches_websocket_client(opcode: int) -> None:
    mask = b"\x12\xf4\x56\x08"
    for length in LENGTHS:
        payload = (bytes(range(256)) * (length // 256 + 1))[:length]
        reference = ABNF.create_frame(payload, opcode & 0x0F)
        reference.rsv1 = opcode >> 6 & 1
        reference.get_mask_key = lambda _length: mask
        key = int.from_bytes(mask, "big")
        assert encode_frame(opcode, payload, key) == reference.format(), length


@given(
    payload=st.binary(max_size=300) | st.binary(min_size=2040, max_size=2100),
    mask=st.binary(min_size=4, max_size=4),
)
def test_masking_any_payload_with_any_key_round_trips(payload: bytes, mask: bytes) -> None:
    frame = encode_frame(0x2, payload, int.from_bytes(mask, "big"))
    body = frame[-len(payload) :] if payload else b""
    assert frame[len(frame) - len(payload) - 4 : len(frame) - len(payload)] == mask
    assert bytes(b ^ mask[i % 4] for i, b in enumerate(body)) == payload


def test_the_c_masker_refuses_a_key_that_is_not_four_bytes() -> None:
    masker = pytest.importorskip("pushsdk._ws._mask", reason="pure build: no C masker")
    with pytest.raises(ValueError, match="4 bytes"):
        masker.frame(0x82, 1 << 32, bytes(128))
    with pytest.raises(OverflowError):
        masker.frame(0x82, -1, bytes(128))
    with pytest.raises(ValueError, match="0-255"):
        masker.frame(0x182, 0x01020304, bytes(128))


def test_masks_are_fresh_four_byte_keys_across_batches() -> None:
    masks = Masks()
    keys = [masks.take() for _ in range(3 * MASKS_PER_CALL + 1)]
    assert all(0 <= key < 1 << 32 for key in keys)
    assert len(set(keys)) > 3 * MASKS_PER_CALL - 5  # 2**32 values: repeats are rare


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
# 3.12+ warns when other tests' threads are alive; the child only writes and exits.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_does_not_reuse_its_parents_keys() -> None:
    masks = Masks()
    masks.take()  # the batch is drawn: the rest of it is the parent's
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write the key it draws next, and leave at once
        os.write(writer, masks.take().to_bytes(4, "big"))
        os._exit(0)
    os.close(writer)
    try:
        child = os.read(reader, 4)
    finally:
        os.close(reader)
        os.waitpid(pid, 0)
    parent = masks.take().to_bytes(4, "big")
    assert len(child) == 4
    assert child != parent
