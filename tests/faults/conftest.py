"""Fixtures for the fault tests (servers that record what they saw)."""

from tests.faults.servers import echo_server, numbered_sse, upstream

__all__ = ["echo_server", "numbered_sse", "upstream"]
