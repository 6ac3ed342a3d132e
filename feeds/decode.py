"""Content-Encoding decoding in bounded steps, so a size cap holds after decompression.

A small gzip bomb is stopped at the cap, not after it has filled memory: the fetcher
counts the pieces this yields, and no piece is larger than one step.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import Any

_DECODE_STEP = 64 * 1024


class BodyDecoder:
    """Content-Encoding decoding in bounded steps (never more than one step at a time)."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._obj: Any = None
        self._started = False

    @classmethod
    def for_header(cls, header: str | None) -> BodyDecoder:
        codings = [c.strip().lower() for c in (header or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if not codings:
            return cls("identity")
        if len(codings) > 1:
            raise ValueError(f"unsupported content-encoding {header!r}")
        coding = {"x-gzip": "gzip"}.get(codings[0], codings[0])
        if coding not in ("gzip", "deflate"):
            raise ValueError(f"unsupported content-encoding {header!r}")
        return cls(coding)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.encoding == "identity":
            if data:
                yield data
            return
        if not self._started:
            self._start(data)
        yield from self._drain(data)

    def flush(self) -> Iterator[bytes]:
        if self._obj is not None:
            yield from self._drain(b"")
            tail = self._obj.flush()
            if tail:
                yield tail

    def _start(self, first: bytes) -> None:
        self._started = True
        if self.encoding == "gzip":
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        else:
            # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
            is_zlib = (
                len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0
            )
            self._obj = zlib.decompressobj(zlib.MAX_WBITS if is_zlib else -zlib.MAX_WBITS)

    def _drain(self, data: bytes) -> Iterator[bytes]:
        pending = data
        while True:
            out = self._obj.decompress(pending, _DECODE_STEP)
            if out:
                yield out
            pending = self._obj.unconsumed_tail
            if self._obj.eof:
                rest = self._obj.unused_data
                if self.encoding == "gzip" and rest[:2] == b"\x1f\x8b":
                    self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)  # next gzip member
                    pending = rest
                    continue
                return
            if not pending and not out:
                return


async def decoded(decoder: BodyDecoder, raw: AsyncIterator[bytes]) -> AsyncGenerator[bytes, None]:
    """The decoded body of `raw`; closes `raw` however the caller stops reading."""
    try:
        async for chunk in raw:
            for piece in decoder.feed(chunk):
                yield piece
    finally:
        aclose = getattr(raw, "aclose", None)
        if aclose is not None:
            await aclose()
    for piece in decoder.flush():
        yield piece
