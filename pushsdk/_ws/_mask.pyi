"""The compiled build's C frame builder (``_mask.c``); absent from the pure build."""

def frame(first: int, key: int, payload: bytes, /) -> bytes:
    """A final client frame: ``first`` byte, length, 32-bit ``key``, masked ``payload``."""
