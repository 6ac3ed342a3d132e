"""A fake OpenAI-compatible chat-completions server on the loopback base (127.0.0.1).

Tests set what it answers (`reply`, `status`, `delay`, `raw`) and read what it was sent
(`requests`), so the client is exercised over a real socket, timeouts included.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.loopback import LoopbackFake


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeOpenAI:
    """What the fake answers next, and what it has been asked."""

    base_url: str = ""
    reply: str = "Tóm tắt."
    status: int = 200
    delay: float = 0.0
    raw: bytes | None = None  # sent as is instead of a well-formed answer
    requests: list[Received] = field(default_factory=list)


class _Server(LoopbackFake):
    def __init__(self, state: FakeOpenAI) -> None:
        super().__init__()
        self.state = state

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        state = self.state
        length = int(request.headers.get("Content-Length", "0"))
        body = json.loads(request.rfile.read(length) or b"{}")
        state.requests.append(Received(request.path, dict(request.headers.items()), body))
        if state.delay:
            time.sleep(state.delay)
        if state.raw is not None:
            payload = state.raw
        elif state.status != 200:
            payload = json.dumps({"error": {"message": "boom"}}).encode()
        else:
            payload = json.dumps(
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "model": body.get("model", ""),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": state.reply},
                            "finish_reason": "stop",
                        }
                    ],
                },
                ensure_ascii=False,
            ).encode()
        try:
            request.send_response(state.status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(payload)))
            request.end_headers()
            request.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)


@contextmanager
def serve_openai() -> Iterator[FakeOpenAI]:
    """Run the fake on a free port for the duration of the block."""
    state = FakeOpenAI()
    with _Server(state) as server:
        state.base_url = f"{server.url}/v1"
        yield state
