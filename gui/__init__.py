"""pushsdk monitor: a Qt desktop debugger for live WebSocket and SSE streams."""
