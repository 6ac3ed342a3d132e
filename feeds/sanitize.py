"""Characters no story can hold, taken out before a parser sees them.

One item with `&#xDCFF;` (a lone surrogate), `&#99999999999;` or `&#0;` makes feedparser
raise for the whole document, or store a NUL in a title; one raw byte that is not UTF-8
makes it read every item of a UTF-8 feed as windows-1252. Removing these first means one
bad item costs at most its own bad characters, never the feed's other stories.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["clean_feed_bytes", "drop_invalid_references", "drop_invalid_text"]

# XML 1.0's Char production, less DEL: what a title or a lead can be made of.
_CHAR_REF_TEXT = re.compile(r"&#(?:[xX]([0-9A-Fa-f]{1,16})|([0-9]{1,24}));?")
_CHAR_REF_BYTES = re.compile(rb"&#(?:[xX]([0-9A-Fa-f]{1,16})|([0-9]{1,24}));?")
_RAW_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})""")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.I)
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


def _allowed(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0x7E
        or 0x80 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _code(hex_digits: str | bytes | None, digits: str | bytes | None) -> int:
    return int(hex_digits, 16) if hex_digits else int(digits or b"0")


def drop_invalid_references(text: str) -> str:
    """`text` without the numeric character references that name no usable character."""
    if "&#" not in text:
        return text
    return _CHAR_REF_TEXT.sub(lambda m: m[0] if _allowed(_code(m[1], m[2])) else "", text)


def drop_invalid_text(text: str) -> str:
    """`text` without control characters, surrogates and non-characters, raw or referenced."""
    return _BAD_TEXT.sub("", drop_invalid_references(text))


def _wide(body: bytes) -> bool:
    head = body[:4]
    return head.startswith(_WIDE_BOMS) or head[:2] in (b"\x00<", b"<\x00")


def _is_utf8(body: bytes, declared: str | None) -> bool:
    """Whether the document says (or by XML's default means) it is UTF-8."""
    charset = None
    if declared:
        found = _CHARSET.search(declared)
        charset = found.group(1) if found else None
    if charset is None:
        found_bytes = _XML_ENCODING.search(body[:512])
        charset = found_bytes.group(1).decode("ascii") if found_bytes else "utf-8"
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return False


def clean_feed_bytes(body: bytes, content_type: str | None = None) -> bytes:
    """Feed bytes with bad references and raw control bytes out; a UTF-8 feed with a few
    broken byte sequences loses those sequences instead of being read as windows-1252."""
    if not body or _wide(body):
        return body
    cleaned = _CHAR_REF_BYTES.sub(
        lambda m: m[0] if _allowed(_code(m[1], m[2])) else b"", _RAW_CONTROLS.sub(b"", body)
    )
    if body.startswith(codecs.BOM_UTF8) or _is_utf8(body, content_type):
        try:
            cleaned.decode("utf-8")
        except UnicodeDecodeError:
            cleaned = _mend_utf8(cleaned)
    return cleaned


def _mend_utf8(body: bytes) -> bytes:
    """A UTF-8 document with a few broken sequences loses them; one mostly in another
    encoding under a UTF-8 label is left for feedparser's own fallback."""
    text = body.decode("utf-8", "replace")
    broken = text.count("\ufffd")
    wide = sum(1 for ch in text if ord(ch) > 0x7F) - broken
    if broken > wide:
        return body
    return _BAD_TEXT.sub("", text.replace("\ufffd", "")).encode("utf-8")
