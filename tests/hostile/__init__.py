"""Hostile servers: every attack on the client that was found and fixed, kept as a test."""
