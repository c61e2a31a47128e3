"""Stand-ins for the self-tests: on loopback, a target, an IMS or a server that is no API at all (one way for a
handler to answer, one way to start such a server and stop it); and a clock that moves only when a test moves it."""

from __future__ import annotations

import http.server
import socket
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    """A request handler that answers through ``answer`` and logs nothing."""

    def answer(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        for key, value in {"Content-Type": content_type, **(headers or {})}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(handler: type[http.server.BaseHTTPRequestHandler], **state) -> http.server.ThreadingHTTPServer:
    """``handler`` on a free loopback port, served from a daemon thread; ``state`` becomes attributes of the
    server (what its handlers read and record), ``url`` its base URL. Stop it with ``stop``."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    for name, value in state.items():
        setattr(httpd, name, value)
    httpd.url = f"http://127.0.0.1:{httpd.server_port}"
    threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True).start()
    return httpd


def stop(httpd: http.server.ThreadingHTTPServer) -> None:
    httpd.shutdown()
    httpd.server_close()


def unused_port() -> int:
    """A loopback port nothing listens on now (the OS's pick, released at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StoppedClock:
    """Seconds that pass only when the test adds them to ``now``: a lifetime is counted in the test's steps, never
    in the seconds a busy machine takes between them. Called like ``time.time``."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
