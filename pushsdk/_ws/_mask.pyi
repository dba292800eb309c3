"""The compiled build's C frame builder (``_mask.c``); absent from the pure build."""

def frame(first: int, key: bytes, payload: bytes, /) -> bytes:
    """A final client frame: ``first`` byte, length, ``key``, ``payload`` masked with it."""
