"""Turning payloads and logs into text and files (no Qt)."""
