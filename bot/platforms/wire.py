"""Tells the delivery worker when a send's request is really on the wire.

An httpx request hook puts httpcore's trace extension on every request; the trace says
when the request's headers begin to be written, and `mark_written` passes that on to the
send's `Wire` (bot.core.outcome). A send still waiting for a pooled connection or for its
TCP connect has written nothing: a stop may drop it and lose nothing.
"""

from __future__ import annotations

from typing import Any

import httpx

from bot.core.outcome import mark_written

_WRITING = ("http11.send_request_headers.started", "http2.send_request_headers.started")


async def _trace(event: str, info: dict[str, Any]) -> None:
    if event in _WRITING:
        mark_written()


async def trace_writes(request: httpx.Request) -> None:
    """httpx `event_hooks["request"]` entry: follow this request's writing."""
    request.extensions["trace"] = _trace


def wire_hooks() -> dict[str, list[Any]]:
    """The `event_hooks` argument of an httpx client whose sends the worker watches."""
    return {"request": [trace_writes]}
