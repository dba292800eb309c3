"""Request headers as the user types them, and which of them are secrets (no Qt)."""

from __future__ import annotations

__all__ = ["format_headers", "is_secret_header", "mask", "parse_header", "parse_headers"]

_SECRET_WORDS = ("authorization", "cookie", "token", "key", "secret")


def is_secret_header(name: str) -> bool:
    """Headers whose values are credentials: masked on screen, saved only if asked."""
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def mask(value: str) -> str:
    """What a secret looks like on screen: its first characters, never the rest."""
    return value[:4] + "…" if len(value) > 8 else "…"


def parse_header(line: str) -> tuple[str, str]:
    """One ``Name: value`` line.

    Raises:
        ValueError: no colon, or an empty or invalid name.
    """
    name, colon, value = line.strip().partition(":")
    name = name.strip()
    if not colon or not name or any(c.isspace() or ord(c) < 33 for c in name):
        raise ValueError(f"expected 'Name: value', got {line.strip()!r}")
    return name, value.strip()


def parse_headers(text: str) -> dict[str, str]:
    """Parse ``Name: value`` lines; blank lines and ``#`` comments are skipped.

    Raises:
        ValueError: a line without a colon or with an empty or invalid name.
    """
    headers: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            name, value = parse_header(line)
        except ValueError:
            raise ValueError(f"line {number}: expected 'Name: value'") from None
        headers[name] = value
    return headers


def format_headers(headers: dict[str, str]) -> str:
    return "".join(f"{name}: {value}\n" for name, value in headers.items())
