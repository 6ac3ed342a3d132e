"""What a platform's start can end in besides success, read the same way for every platform.

A platform that cannot be reached at start is a network matter: the composition root
retries it with a capped backoff while polling and the other platforms go on. A token the
platform refuses will never work: Bantin stops at start, naming the key, as for any other
config error.
"""

from __future__ import annotations


class PlatformUnreachable(Exception):
    """No usable answer from the platform (network error, timeout, 5xx): try again later."""

    def __init__(self, platform: str, where: str, reason: str, check: str) -> None:
        super().__init__(f"{platform}: cannot reach {where} ({reason})")
        self.platform = platform
        self.where = where
        self.reason = reason
        self.check = check


class TokenRejected(Exception):
    """The platform refused the bot token: a config error, never retried."""

    def __init__(self, platform: str, key: str, env: str, answer: str, fix: str) -> None:
        super().__init__(
            f"{key} (or ${env}): {platform.capitalize()} rejected the bot token ({answer}); {fix}"
        )
        self.platform = platform
        self.key = key
        self.env = env


def proxy_check(table: str) -> str:
    """What an admin should look at when a platform does not answer."""
    return (
        f"check the host's network, DNS and firewall, or set [{table}] proxy_url "
        "(or HTTPS_PROXY) if this host reaches it only through a proxy"
    )
