"""No secret in anything `bantin` prints: the failing paths, run as a process with
recognisable secrets, and everything they printed searched for them."""

from __future__ import annotations

from pathlib import Path

from tests.bot.test_pipeline import write_config
from tests.cli.process import TOKEN, ZALO_TOKEN, Running, bantin, clean_env, closed_port
from tests.fakes.news_site import FakeNewsSite
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

WEBHOOK_SECRET = "CANARY-webhook-secret"
DB_PASSWORD = "CANARY-db-password"
PROXY_PASSWORD = "CANARY-proxy-password"
SECRETS = (TOKEN, TOKEN.split(":")[1], ZALO_TOKEN, WEBHOOK_SECRET, DB_PASSWORD, PROXY_PASSWORD)


def leaked(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def test_no_failing_path_prints_a_secret(tmp_path: Path) -> None:
    printed: dict[str, str] = {}
    with FakeNewsSite() as site, FakeTelegram(token="1:other") as tg, FakeZalo() as zalo:
        secrets_env = clean_env(
            BANTIN_TELEGRAM_TOKEN=TOKEN,
            BANTIN_ZALO_WEBHOOK_SECRET=WEBHOOK_SECRET,
        )

        # Telegram unreachable: retried, and the bot keeps running.
        down = tmp_path / "down"
        down.mkdir()
        url = f"http://127.0.0.1:{closed_port()}"
        config = write_config(
            down,
            site,
            extra=f'[telegram]\napi_base_url = "{url}"\n'
            f'proxy_url = "http://bantin:{PROXY_PASSWORD}@127.0.0.1:{closed_port()}"\n',
        )
        with Running(config, secrets_env) as bot:
            bot.wait_for(lambda: "try 2" in bot.err)
            assert bot.stop() == 0
        printed["unreachable"] = bot.err + bot.out

        # The token rejected (Telegram and Zalo, the webhook secret set).
        rejected = tmp_path / "rejected"
        rejected.mkdir()
        config = write_config(
            rejected,
            site,
            extra=f'[telegram]\napi_base_url = "{tg.url}"\n'
            f'[zalo]\ntoken = "{ZALO_TOKEN}"\napi_base_url = "{zalo.url}"\n',
        )
        done = bantin("run", "--config", str(config), env=secrets_env)
        assert done.returncode == 2
        printed["rejected"] = done.stdout + done.stderr

        # A crash inside a command: `channels add` when Telegram refuses the token.
        done = bantin("channels", "add", "@tin_lam_dong", "--config", str(config), env=secrets_env)
        assert done.returncode != 0
        printed["channels add"] = done.stdout + done.stderr

    # Bad config: a token of the wrong type, a proxy URL Bantin cannot use, a short secret.
    for name, extra in {
        "token type": f'[telegram]\ntoken = ["{TOKEN}"]\n',
        "proxy scheme": f'[zalo]\ntoken = "{ZALO_TOKEN}"\n'
        f'proxy_url = "ftp://bantin:{PROXY_PASSWORD}@proxy.local:21"\n',
        "webhook secret": f'[zalo]\ntoken = "{ZALO_TOKEN}"\nwebhook_url = "https://bantin.vn/zalo"\n'
        'webhook_secret = "CANARY"\n',
        "telegram webhook secret": '[telegram]\nwebhook_url = "https://bantin.vn/tg"\n'
        f'webhook_secret = "{WEBHOOK_SECRET}!"\n',
    }.items():
        config = tmp_path / f"{name.replace(' ', '-')}.toml"
        config.write_text(extra, encoding="utf-8")
        done = bantin("poll", "--config", str(config), env=clean_env())
        assert done.returncode == 2 and "config error" in done.stderr, done.stderr
        printed[name] = done.stdout + done.stderr

    # A database that does not answer, its password in the URL.
    database = f"postgresql://bantin:{DB_PASSWORD}@127.0.0.1:{closed_port()}/bantin"
    done = bantin("stats", env=clean_env(BANTIN_DATABASE_URL=database))
    assert done.returncode == 2 and "storage error" in done.stderr, done.stderr
    printed["database"] = done.stdout + done.stderr

    assert {name: leaked(text) for name, text in printed.items() if leaked(text)} == {}
    assert "Traceback" not in printed["unreachable"] + printed["rejected"]
