"""A forwarding HTTP proxy on 127.0.0.1 for tests: absolute-form GET/POST and CONNECT.

Every request it is asked to carry is recorded (method, target, Proxy-Authorization), so
a test can assert that a client really went through it. With `credentials` it answers
407 to a request without the matching Basic Proxy-Authorization.

    with HttpProxy() as proxy:                       # or HttpProxy(credentials=("u", "p"))
        ... fetch through proxy.url ...
        assert proxy.seen[0].target == site.feed_url
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import select
import socket
from http.server import BaseHTTPRequestHandler
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from tests.fakes.loopback import LoopbackFake

_HOP_BY_HOP = frozenset(
    {
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailers", "transfer-encoding", "upgrade", "proxy-connection",
    }
)  # fmt: skip


class ProxiedRequest(NamedTuple):
    method: str
    target: str  # the absolute URL of a GET, or host:port of a CONNECT
    proxy_authorization: str | None


class HttpProxy(LoopbackFake):
    def __init__(self, *, credentials: tuple[str, str] | None = None) -> None:
        self.credentials = credentials
        self.seen: list[ProxiedRequest] = []
        self.refused: list[ProxiedRequest] = []
        super().__init__()

    def url_with(self, user: str, password: str, scheme: str = "http") -> str:
        return f"{scheme}://{user}:{password}@127.0.0.1:{self.port}"

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(_ProxyHandler):
            pass

        Handler.proxy = proxy
        return Handler

    def _allowed(self, request: ProxiedRequest) -> bool:
        if self.credentials is None:
            return True
        token = base64.b64encode(":".join(self.credentials).encode()).decode()
        return request.proxy_authorization == f"Basic {token}"


class _ProxyHandler(BaseHTTPRequestHandler):
    proxy: HttpProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _admit(self) -> bool:
        request = ProxiedRequest(self.command, self.path, self.headers.get("Proxy-Authorization"))
        proxy = self.proxy
        if not proxy._allowed(request):
            with proxy._lock:
                proxy.refused.append(request)
            self.send_response(407)
            self.send_header("Proxy-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return False
        with proxy._lock:
            proxy.seen.append(request)
        return True

    def do_GET(self) -> None:
        if not self._admit():
            return
        target = urlsplit(self.path)
        if target.scheme != "http" or not target.hostname:
            self.send_error(400, "absolute-form http URL expected")
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=10)
        try:
            path = target.path or "/"
            upstream.request(self.command, path + (f"?{target.query}" if target.query else ""),
                             body=body, headers=headers)  # fmt: skip
            answer = upstream.getresponse()
            data = answer.read()
        except OSError as exc:
            self.send_error(502, f"upstream: {exc}")
            return
        finally:
            upstream.close()
        self.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in _HOP_BY_HOP | {"content-length"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_POST = do_GET
    do_HEAD = do_GET

    def do_CONNECT(self) -> None:
        if not self._admit():
            return
        host, _, port = self.path.rpartition(":")
        try:
            upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        except (OSError, ValueError) as exc:
            self.send_error(502, f"upstream: {exc}")
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.close_connection = True
        sockets = [self.connection, upstream]
        with contextlib.suppress(OSError), upstream:
            while True:
                ready, _, _ = select.select(sockets, [], [], 10)
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is self.connection else self.connection).sendall(data)
