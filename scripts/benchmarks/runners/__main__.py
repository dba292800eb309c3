"""Run one measurement: ``python -m scripts.benchmarks.runners LIBRARY MODE PARAMS_JSON``.

Prints one JSON object (the figures, a failure, or a skip) as its last stdout line.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
import traceback

from .. import compiled
from . import drive
from .common import emit, failure, not_importable

MODULES = {
    ("ws", "websocket-client"): "lib_wsclient",
    ("ws", "websocket-client-app"): "lib_wsapp",
    ("ws", "websockets"): "lib_websockets",
    ("ws", "pushsdk"): "lib_pushsdk_ws",
    ("ws", "aiohttp"): "lib_aiohttp_ws",
    ("ws", "picows"): "lib_picows",
    ("sse", "sseclient-py"): "lib_sseclient",
    ("sse", "httpx-sse"): "lib_httpx_sse",
    ("sse", "requests-sse"): "lib_requests_sse",
    ("sse", "ld-eventsource"): "lib_ld_eventsource",
    ("sse", "pushsdk"): "lib_pushsdk_sse",
    ("ws", compiled.LIBRARY): "lib_pushsdk_ws",
    ("sse", compiled.LIBRARY): "lib_pushsdk_sse",
    ("ws", "raw socket"): "raw",
    ("sse", "raw socket"): "raw",
}
DRIVERS = {"latency": drive.latency, "reconnect": drive.reconnect, "idle": drive.idle}


def main() -> None:
    logging.disable(logging.CRITICAL)  # reconnect runs make libraries log each drop
    protocol, library, mode, params = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    try:
        if library == compiled.LIBRARY:
            compiled.use()
        module = importlib.import_module(f".{MODULES[protocol, library]}", __package__)
    except ImportError as exc:
        emit(not_importable(exc))
    options = json.loads(params)
    try:
        if hasattr(module, mode):
            emit(getattr(module, mode)(options))
        emit(DRIVERS[mode](options, module.listen))
    except Exception as exc:
        traceback.print_exc()
        emit(failure(f"{type(exc).__name__}: {exc}"))


if __name__ == "__main__":
    main()
