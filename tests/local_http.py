"""One HTTP server for the download tests: on 127.0.0.1 (an ephemeral port), in a thread, serving
``routes`` the test sets, so no test reaches the internet. A route can answer slowly, announce a
Content-Length its body does not have, or fail with any status."""

from __future__ import annotations

import http.server
import threading
import time
from dataclasses import dataclass, field

import pytest

from pipeline import paths

# SIPRI's real 2026 sidecar, which several tests copy into a temporary raw folder.
SIPRI_2026_SIDECAR = (
    paths.PROJECT_ROOT / "data" / "raw" / "sipri" / "2026-04-27"
    / "SIPRI-Milex-data-1949-2025_v1.2.xlsx.meta.yml"
)  # fmt: skip


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    delay_s: float = 0.0
    length: int | None = None  # Content-Length announced; None: the body's length


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        route = self.server.routes.get(self.path, Route(404, b"not found"))
        time.sleep(route.delay_s)
        try:
            self.send_response(route.status)
            length = len(route.body) if route.length is None else route.length
            for key, value in {"Content-Length": str(length), **route.headers}.items():
                if value is not None:
                    self.send_header(key, value)
            self.end_headers()
            self.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout tests)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """The server; set ``server.routes[path] = Route(...)``; ``server.base`` is its URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.routes = {}
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()
