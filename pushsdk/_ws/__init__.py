"""WebSocket internals: handshake, frames, compression, socket I/O."""
