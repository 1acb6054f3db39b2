"""The HTTP server in front of `Endpoint`: the standard library's threading server, HTTP/1.1 keep-alive.

Threads, because docker uploads layers on parallel connections and keeps them open; the endpoint's lock
makes the world's requests one at a time all the same. Request bodies come with a length or chunked
(docker streams a layer as chunks).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ecrsim.endpoint.http import Request, Response

if TYPE_CHECKING:
    from ecrsim.endpoint.app import Endpoint


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes: with Nagle's algorithm on, the body waits for the client's
    # delayed ACK (about 40 ms on Linux) on every keep-alive request.
    disable_nagle_algorithm = True
    server: EndpointServer

    def _serve(self) -> None:
        url = urlsplit(self.path)
        body = self._body()
        if body is None:
            return
        request = Request(
            self.command, url.path or "/", url.query, {k.lower(): v for k, v in self.headers.items()}, body
        )
        try:
            response = self.server.dispatch(request)
        except Exception as error:  # a bug must not become a 5xx that clients retry for minutes
            self.server.endpoint.log_internal(error)
            response = Response(
                400,
                {"Content-Type": "application/json"},
                b'{"__type": "InternalFailure", "message": "ecrsim: internal error (see the endpoint log)"}',
            )
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if "Content-Length" not in response.headers:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size_line = self.rfile.readline()
                if not size_line:
                    return None
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: object) -> None:  # the endpoint logs each request itself
        pass


class EndpointServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, host: str, port: int, endpoint: Endpoint, dispatch: Callable[[Request], Response] | None = None
    ) -> None:
        """`dispatch` runs a request: `endpoint.handle` on the request's own thread unless given, e.g. on
        the UI's thread, where the learner's own commands run too."""
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), _Handler)
        self.endpoint = endpoint
        self.dispatch = dispatch or endpoint.handle

    @property
    def port(self) -> int:
        return self.server_address[1]

    def start(self) -> threading.Thread:
        """Serve in a background thread (tests, the UI); `shutdown()` stops it."""
        thread = threading.Thread(target=self.serve_forever, name="ecrsim-endpoint", daemon=True)
        thread.start()
        return thread
