"""The compiled build's C masker (``_mask.c``); absent from the pure build."""

def frame(head: bytes, key: bytes, payload: bytes, /) -> bytes:
    """``head + key + payload`` masked with the 4-byte ``key``, in one allocation."""
