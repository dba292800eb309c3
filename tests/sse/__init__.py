"""Tests of SSEClient and its parser."""
