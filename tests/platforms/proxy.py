"""A forward HTTP proxy on loopback, of the tests' own: it relays absolute-form requests
(`POST http://127.0.0.1:<port>/bot…/sendMessage`) to the fake and records each one.

    with LoopbackProxy() as proxy:      # [telegram] proxy_url = proxy.url
        ...
        assert proxy.saw("/sendMessage")
"""

from __future__ import annotations

import http.client
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from tests.fakes.loopback import LoopbackFake

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "te"}


class LoopbackProxy(LoopbackFake):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[str] = []  # "METHOD absolute-url", in the order they came
        self.authorizations: list[str] = []

    def saw(self, fragment: str) -> list[str]:
        with self._lock:
            return [line for line in self.requests if fragment in line]

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        target = urlsplit(request.path)
        with self._lock:
            self.requests.append(f"{request.command} {request.path}")
            self.authorizations.append(request.headers.get("Proxy-Authorization", ""))
        if target.scheme != "http" or target.hostname != "127.0.0.1":
            self._reply(request, 403, b"loopback only")
            return
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=60)
        try:
            path = target.path + (f"?{target.query}" if target.query else "")
            upstream.request(request.command, path, body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
            content_type = answer.getheader("Content-Type", "application/octet-stream")
            self._reply(request, answer.status, data, content_type)
        except OSError:
            self._reply(request, 502, b"upstream unreachable")
        finally:
            upstream.close()

    @staticmethod
    def _reply(
        request: BaseHTTPRequestHandler,
        status: int,
        data: bytes,
        content_type: str = "text/plain",
    ) -> None:
        try:
            request.send_response(status)
            request.send_header("Content-Type", content_type)
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
