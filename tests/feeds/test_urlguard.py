"""The URL guard refuses what is not public http(s), by syntax and by resolved address."""

from __future__ import annotations

import ipaddress

import pytest

from feeds.urlguard import UnsafeURLError, UrlGuard, UrlResolutionError, address_class

# (address, words the refusal must contain)
REFUSED = [
    ("10.0.0.5", "private"),
    ("172.16.3.4", "private"),
    ("192.168.1.1", "private"),
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("169.254.169.254", "link-local"),
    ("100.64.0.1", "CGNAT"),
    ("100.127.255.254", "CGNAT"),
    ("0.0.0.0", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", ""),  # reserved (Python files it under private too)
    ("255.255.255.255", ""),
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fc00::1", "ULA"),
    ("fd12:3456:789a::1", "ULA"),
    ("ff02::1", "multicast"),
    ("fec0::1", ""),  # deprecated site-local
    ("::ffff:10.0.0.5", "IPv4-mapped private"),
    ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
    ("::ffff:169.254.169.254", "IPv4-mapped link-local"),
    ("::ffff:100.64.0.1", "IPv4-mapped shared (CGNAT)"),
    ("2002:a00:1::", "6to4 private"),  # 6to4 wrapping of 10.0.0.1
    ("64:ff9b::a9fe:a9fe", "NAT64 link-local"),  # NAT64 of 169.254.169.254
]
PUBLIC = ["8.8.8.8", "1.1.1.1", "203.162.4.191", "2001:4860:4860::8888", "::ffff:8.8.8.8"]


@pytest.mark.parametrize(("address", "words"), REFUSED)
def test_non_public_addresses_are_refused_with_the_reason(address: str, words: str) -> None:
    with pytest.raises(UnsafeURLError) as caught:
        UrlGuard().check_address(address)
    message = str(caught.value)
    assert words in message
    assert "address" in message


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    UrlGuard().check_address(address)
    assert address_class(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(("address", "_words"), REFUSED)
def test_allow_private_addresses_lets_everything_through(address: str, _words: str) -> None:
    UrlGuard(allow_private_addresses=True).check_address(address)


def test_trusted_networks_are_allowed_and_nothing_else() -> None:
    guard = UrlGuard(trusted_networks=["127.0.0.1/32"])
    guard.check_address("127.0.0.1")
    guard.check_address("::ffff:127.0.0.1")  # the same host, IPv4-mapped
    for other in ("127.0.0.2", "10.0.0.1", "192.168.0.1", "169.254.169.254", "::1"):
        with pytest.raises(UnsafeURLError):
            guard.check_address(other)


def test_trusted_networks_accept_ipv6_cidrs() -> None:
    guard = UrlGuard(trusted_networks=["fd00:1234::/32"])
    guard.check_address("fd00:1234::5")
    with pytest.raises(UnsafeURLError):
        guard.check_address("fd00:9999::5")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://example.com/feed", "scheme 'ftp'"),
        ("file:///etc/passwd", "scheme 'file'"),
        ("javascript:alert(1)", "scheme 'javascript'"),
        ("gopher://example.com/", "scheme"),
        ("//example.com/feed", "scheme"),
        ("example.com/feed", "scheme"),
        ("http://user:secret@example.com/feed", "credentials"),
        ("http://@example.com/", "credentials"),
        ("http:///feed", "no host"),
        ("http://exa mple.com/", "white space"),
        ("http://example.com\\@10.0.0.1/", "backslash"),
        ("http://example.com/\r\nX-Injected: 1", "control"),
        ("http://example.com:99999/", "malformed"),
        ("http://example.com:0/", "port 0"),
        ("", "empty"),
    ],
)
def test_syntax_refusals_say_why(url: str, words: str) -> None:
    with pytest.raises(UnsafeURLError) as caught:
        UrlGuard().check_syntax(url)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    "url",
    ["http://example.com/rss", "https://lamdongtv.vn/tin-tuc?page=2", "HTTPS://Example.COM:8443/x"],
)
def test_good_syntax_passes(url: str) -> None:
    UrlGuard().check_syntax(url)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://10.0.0.5/rss", "private address 10.0.0.5"),
        ("http://169.254.169.254/latest/meta-data/", "link-local address 169.254.169.254"),
        ("http://[::1]:8080/", "loopback address ::1"),
        ("http://[::ffff:192.168.0.1]/", "IPv4-mapped private"),
        ("http://[fd00::1]/", "ULA"),
        ("http://100.64.1.2/", "CGNAT"),
        ("http://0.0.0.0:8000/", "unspecified"),
        # Spellings that only the resolver turns into 127.0.0.1:
        ("http://127.1/", "loopback address 127.0.0.1"),
        ("http://2130706433/", "loopback address 127.0.0.1"),
        ("http://localhost/", "loopback"),
    ],
)
async def test_check_refuses_by_resolved_address(url: str, words: str) -> None:
    with pytest.raises(UnsafeURLError) as caught:
        await UrlGuard().check(url)
    assert words in str(caught.value)
    assert url in str(caught.value)


async def test_check_allows_the_trusted_loopback_address() -> None:
    guard = UrlGuard(trusted_networks=["127.0.0.1/32"])
    await guard.check("http://127.0.0.1:8080/rss")
    await guard.check("http://127.1/rss")  # resolves to the trusted address
    with pytest.raises(UnsafeURLError):
        await guard.check("http://127.0.0.2/rss")


async def test_check_runs_the_syntax_check_first() -> None:
    with pytest.raises(UnsafeURLError, match="credentials"):
        await UrlGuard(allow_private_addresses=True).check("http://a:b@127.0.0.1/")


# A host name that fails inside this process (a 64-letter label cannot be IDNA-encoded):
# tests must not send DNS queries, the sandbox's resolver is on a private address.
UNRESOLVABLE = "a" * 64 + ".example"


async def test_unresolvable_host_is_a_resolution_error_not_a_refusal() -> None:
    with pytest.raises(UrlResolutionError) as caught:
        await UrlGuard().check(f"http://{UNRESOLVABLE}/rss")
    assert not isinstance(caught.value, UnsafeURLError)
    assert f"cannot resolve {UNRESOLVABLE}" in str(caught.value)


async def test_resolve_returns_the_checked_addresses() -> None:
    guard = UrlGuard(trusted_networks=["127.0.0.0/8"])
    assert await guard.resolve("127.0.0.1", 80) == ["127.0.0.1"]
    mapped = await guard.resolve("[::ffff:127.0.0.1]", 80)
    assert [ipaddress.ip_address(a) for a in mapped] == [ipaddress.ip_address("::ffff:127.0.0.1")]
