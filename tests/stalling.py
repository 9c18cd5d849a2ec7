"""An HTTP server on 127.0.0.1 that answers at once, except for one stall: from its N-th request on it answers
nothing for S seconds (the tests and bench/bench_stall.py show coordinated omission with it)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class StallingHandler(BaseHTTPRequestHandler):
    """200 with an empty body; the server's ``stall_at``-th request starts a stall of ``stall_seconds``."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        server: Any = self.server
        with server.lock:
            server.count += 1
            if server.count == server.stall_at:
                now = time.time()
                server.stall = (now, now + server.stall_seconds)
            window = server.stall
        if window is not None and time.time() < window[1]:
            time.sleep(window[1] - time.time())
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        """Quiet."""


def serve(stall_at: int, stall_seconds: float) -> Any:
    """Start the server in a thread; ``.url`` is its address, ``.stall`` the (start, end) of its stall once begun.
    Stop it with ``shutdown()`` and ``server_close()``."""
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), StallingHandler)
    server.daemon_threads = True
    server.lock, server.count, server.stall = threading.Lock(), 0, None
    server.stall_at, server.stall_seconds = stall_at, stall_seconds
    server.url = f"http://127.0.0.1:{server.server_address[1]}/"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
