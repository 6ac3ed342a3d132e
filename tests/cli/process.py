"""The real `bantin` process, as an admin starts it: a config file, env, and its output."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Recognisable secrets: a test fails if any of them shows in anything printed.
TOKEN = "424242:CANARY-telegram-token-never-printed"
ZALO_TOKEN = "5151:CANARY-zalo-token-never-printed"


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the developer's own BANTIN_* settings or proxies."""
    proxies = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BANTIN_") and k.lower() not in proxies
    }
    env.update(extra)
    return env


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bantin(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=REPO,
        env=dict(env) if env is not None else clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class Running:
    """`bantin run` in the background; its stderr goes to a file the test can read."""

    def __init__(
        self, config: Path, env: Mapping[str, str] | None = None, args: Sequence[str] = ()
    ) -> None:
        self.log = config.parent / "stderr.log"
        self._err = self.log.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", *args, "--config", str(config)],
            cwd=REPO,
            env=dict(env) if env is not None else clean_env(),
            stdout=subprocess.PIPE,
            stderr=self._err,
            text=True,
        )
        self.out = ""

    @property
    def err(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def wait_for(self, ready: Callable[[], bool], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"bantin exited {self.process.returncode}:\n{self.err}")
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting; stderr:\n{self.err}")

    def stop(self, timeout: float = 15) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.out, _ = self.process.communicate(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self._err.close()
        return int(self.process.returncode)

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
