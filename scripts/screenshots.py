"""Take the monitor pictures for the documentation with ``pushsdk-monitor --screenshot``.

``python scripts/screenshots.py DIR`` writes ``monitor-ws.png`` (``--demo``: the
WebSocket tab, after a message was sent) and ``monitor-sse.png`` (a tab on the demo
server's event stream) into DIR. Run offscreen (QT_QPA_PLATFORM=offscreen).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pushsdk_monitor.demo_server import DemoServer

#: Seconds of live traffic before each picture.
AFTER = "4"


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "docs/images")
    folder.mkdir(parents=True, exist_ok=True)
    monitor = [sys.executable, "-m", "pushsdk_monitor"]
    shots = [(folder / "monitor-ws.png", ["--demo"])]
    with DemoServer(interval=0.2) as server:
        shots.append((folder / "monitor-sse.png", [server.sse_url]))
        for path, args in shots:
            command = [*monitor, *args, "--screenshot", str(path), "--after", AFTER]
            subprocess.run(command, check=True, timeout=120)
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
