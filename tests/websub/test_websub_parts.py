"""WebSub's pure parts: finding the hub, checking the signature, reading the challenge."""

from __future__ import annotations

import hashlib
import hmac

from feeds.websub import (
    HubLinks,
    discover,
    parse_verification,
    renew_at,
    sign,
    signature_ok,
)

FEED = "https://baolamdong.vn/rss/thoi-su"


def test_the_hub_is_found_in_atom_rss_and_the_link_header() -> None:
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        b'<link rel="alternate" href="https://baolamdong.vn/"/>'
        b"<link href='https://hub.example/' rel='hub'/>"
        b'<link rel="self" href="https://baolamdong.vn/atom"/></feed>'
    )
    assert discover(atom, {}, FEED) == HubLinks(
        "https://hub.example/", "https://baolamdong.vn/atom"
    )
    rss = (
        b'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        b'<atom:link rel="hub" href="/hub?x=1&amp;y=2" /><title>T</title></channel></rss>'
    )
    assert discover(rss, {}, FEED) == HubLinks("https://baolamdong.vn/hub?x=1&y=2", FEED)
    header = {"link": '<https://hub.example/h>; rel="hub", <https://baolamdong.vn/self>; rel=self'}
    assert discover(b"<rss/>", header, FEED) == HubLinks(
        "https://hub.example/h", "https://baolamdong.vn/self"
    )


def test_no_hub_or_a_hub_that_is_not_http_is_none() -> None:
    assert discover(b"<rss><channel><link>https://a.vn/</link></channel></rss>", {}, FEED) is None
    assert discover(b'<feed><link rel="hub" href="javascript:alert(1)"/></feed>', {}, FEED) is None
    assert discover(b'<feed><link rel="hub" href="file:///etc/passwd"/></feed>', {}, FEED) is None
    assert discover(b'<feed><link rel="alternate" href="https://a.vn"/></feed>', {}, FEED) is None


def test_signatures_are_checked_for_each_method_and_refused_otherwise() -> None:
    body = "<rss>Đà Lạt</rss>".encode()
    sha1 = "sha1=" + hmac.new(b"s3cret", body, hashlib.sha1).hexdigest()
    assert signature_ok("s3cret", body, sha1)
    assert signature_ok("s3cret", body, sign("s3cret", body))
    assert signature_ok(
        "s3cret", body, sign("s3cret", body, "sha512").upper().replace("SHA", "sha")
    )
    assert not signature_ok("other", body, sign("s3cret", body))
    assert not signature_ok("s3cret", body + b" ", sign("s3cret", body))
    assert not signature_ok("s3cret", body, None)
    assert not signature_ok("s3cret", body, "")
    assert not signature_ok("s3cret", body, "md5=" + hashlib.md5(body).hexdigest())
    assert not signature_ok("s3cret", body, sign("s3cret", body).replace("=", ""))
    assert not signature_ok("", body, sign("", body))


def test_the_hubs_verification_request_is_read() -> None:
    asked = parse_verification(
        {
            "hub.mode": "subscribe",
            "hub.topic": FEED,
            "hub.challenge": "abc",
            "hub.lease_seconds": "86400",
        }
    )
    assert asked is not None and (asked.mode, asked.challenge, asked.lease_seconds) == (
        "subscribe",
        "abc",
        86400,
    )
    assert parse_verification({"hub.mode": "subscribe", "hub.topic": FEED}) is None  # no challenge
    assert parse_verification({"hub.mode": "publish", "hub.topic": FEED}) is None
    denied = parse_verification({"hub.mode": "denied", "hub.topic": FEED, "hub.reason": "no"})
    assert denied is not None and denied.reason == "no"
    lease = parse_verification(
        {"hub.mode": "subscribe", "hub.topic": FEED, "hub.challenge": "c", "hub.lease_seconds": "x"}
    )
    assert lease is not None and lease.lease_seconds is None


def test_leases_are_renewed_before_they_end() -> None:
    assert renew_at(1000.0, 864_000) == 1000.0 + 864_000 * 0.8
    assert renew_at(1000.0, 200) == 1000.0 + 140  # a short lease: a minute early
    assert renew_at(1000.0, 30) == 1000.0  # shorter than that: at once
