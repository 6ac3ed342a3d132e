"""`bantin`: run the bot, poll once, search, and look after the newsroom from a shell."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.admin.review_shell import add_review_command
from bot.admin.shell import add_admin_commands, admin_session
from bot.admin.shell import report as print_answer
from bot.app import App
from bot.config import ConfigError, load_config
from bot.core.records import AdminReply, Article, SearchTimedOut
from bot.core.settings import Config
from bot.fleet import ROLES, AlreadyRunning, Role
from bot.logsetup import configure_logging, remember_config_secrets, remember_env_secrets
from bot.platforms.redact import redact, redacted_output
from bot.platforms.startup import TokenRejected
from bot.preflight import StorageMissing, check_storage, is_read_only, no_feeds_message
from bot.store import StoreError

if TYPE_CHECKING:
    from bot.core.records import Stats

log = logging.getLogger("bantin")

Command = Callable[[argparse.Namespace, Config], int]


def local_time(timestamp: float | None, zone: ZoneInfo) -> str:
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, zone).isoformat(timespec="minutes")


def print_article(article: Article, zone: ZoneInfo) -> None:
    when = local_time(article.time, zone)
    print(f"\n■ {article.title}\n  {when} · {article.feed_name or ''}\n  {article.url}")
    if article.summary:
        print(f"  {article.summary}")
    sys.stdout.flush()


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    if not config.telegram.token and not config.zalo.token:
        print(
            "Chưa có token Telegram hay Zalo ([telegram] token / BANTIN_TELEGRAM_TOKEN, "
            "[zalo] token / BANTIN_ZALO_TOKEN): Bantin chỉ lấy tin và in tin mới ra đây.\n"
            "No Telegram or Zalo token: polling only; new stories are printed here.",
            file=sys.stderr,
        )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        role = Role(args.role)
        async with App(
            config, on_article=lambda a: print_article(a, config.zone), role=role
        ) as app:
            feeds = await app.store.feeds.all()
            log.info(
                "bantin: %d feeds, store %s, polling every %d s, role %s",
                len([feed for feed in feeds if not feed.paused]),
                config.storage_label,
                config.poll.interval_seconds,
                role.name,
            )
            if role.polls and not any(not feed.paused for feed in feeds):
                log.warning("bantin: %s", no_feeds_message(config))
            await app.run(stop)

    asyncio.run(main())
    log.info("bantin: stopped")
    return 0


def cmd_poll(args: argparse.Namespace, config: Config) -> int:
    async def main() -> int:
        async with App(config, on_article=lambda a: print_article(a, config.zone)) as app:
            reports = await app.poll_once()
        if not reports:
            print(f"bantin poll: {no_feeds_message(config)}", file=sys.stderr)
            return 1
        failed = 0
        for report in reports:
            if report.error:
                failed += 1
                print(f"✗ {report.feed}: {report.error}", file=sys.stderr)
            elif report.busy:
                print(
                    f"… {report.feed}: tiến trình khác đang lấy tin (another process polls it)",
                    file=sys.stderr,
                )
            elif report.not_modified:
                print(f"= {report.feed}: không có gì mới (not modified)", file=sys.stderr)
            else:
                print(
                    f"✓ {report.feed}: {report.new} tin mới, {report.parked} trang chờ thử lại",
                    file=sys.stderr,
                )
        return 1 if reports and failed == len(reports) else 0

    return asyncio.run(main())


def cmd_search(args: argparse.Namespace, config: Config) -> int:
    from bot.core.query import parse_query

    query = " ".join(args.query)
    since: float | None = None
    if args.since:  # a window ("7d", "24h", "2w", "3m") or a local date ("2024-05-01")
        window = parse_query(args.since).window_seconds
        try:
            since = (
                datetime.now(config.zone).timestamp() - window
                if window is not None
                else datetime.fromisoformat(args.since).replace(tzinfo=config.zone).timestamp()
            )
        except ValueError:
            print(
                f"bantin search: --since {args.since!r}: 7d, 24h, 2w or 2024-05-01", file=sys.stderr
            )
            return 2

    async def main() -> list[Article]:
        async with App(config) as app:
            hits = await app.store.search.search(query, limit=args.limit, since=since)
            return [hit.article for hit in hits]

    try:
        articles = asyncio.run(main())
    except SearchTimedOut as exc:
        print(f"bantin search: {exc}; try fewer or more specific words", file=sys.stderr)
        return 1
    if args.json:
        print(
            json.dumps(
                [article_json(a, config.zone) for a in articles], ensure_ascii=False, indent=2
            )
        )
        return 0
    if not articles:
        print(f"Không tìm thấy tin nào cho «{query}». Thử bỏ dấu hoặc bớt từ.")
        return 0
    for article in articles:
        print_article(article, config.zone)
    return 0


def article_json(article: Article, zone: ZoneInfo) -> dict[str, object]:
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "summary": article.summary,
        "published": local_time(article.published_at, zone) or None,
        "feed": article.feed_name,
        "image": article.image,
    }


def cmd_stats(args: argparse.Namespace, config: Config) -> int:
    """The same numbers `/stats` shows in chat (one function computes both)."""
    from handlers.stats import format_stats

    async def main() -> Stats:
        async with admin_session(config) as session:
            return await session.store.stats.collect()

    stats = asyncio.run(main())
    if args.json:
        print(json.dumps(stats.to_json(), ensure_ascii=False, indent=2))
    else:
        print(format_stats(stats, config.timezone, config.language, config.bot_name))
    return 0


def cmd_health(args: argparse.Namespace, config: Config) -> int:
    """One line; 0 when the database, every enabled platform and the polling are alive."""
    from bot.health import judge
    from bot.store import open_store

    try:
        store = open_store(config)
        try:
            facts = store.sync.health.facts()
        finally:
            store.close()
    except StoreError as exc:
        print(f"unhealthy: the database does not answer: {exc}")
        return 1
    verdict = judge(config, facts)
    print(verdict.line)
    return 0 if verdict.healthy else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bantin", description="Bantin: tin của tòa soạn đến Telegram và Zalo."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", help="config file (default: $BANTIN_CONFIG, else ./config.toml, else built-in)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", parents=[common], help="poll, serve chats and push until stopped")
    run.add_argument(
        "--role",
        choices=ROLES,
        default="all",
        help="all (default); or, in a fleet on one PostgreSQL: intake (readers' messages), "
        "poll (the feeds) or send (the outbox)",
    )
    run.set_defaults(handler=cmd_run)
    poll = sub.add_parser("poll", parents=[common], help="poll every feed once, then exit")
    poll.set_defaults(handler=cmd_poll)
    search = sub.add_parser("search", parents=[common], help="search stored stories")
    search.add_argument("query", nargs="+")
    search.add_argument("--json", action="store_true", help="print a JSON list")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--since", help="only stories since: 7d, 24h, 2w, 3m or 2024-05-01")
    search.set_defaults(handler=cmd_search)
    stats = sub.add_parser("stats", parents=[common], help="the newsroom's health, as /stats")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=cmd_stats)
    health = sub.add_parser(
        "health", parents=[common], help="one line; exit 0 when alive (for probes)"
    )
    health.set_defaults(handler=cmd_health)
    add_admin_commands(sub, common)
    add_review_command(sub, common)
    breaking = sub.add_parser(
        "breaking", parents=[common], help="mark a story breaking: it goes before every other push"
    )
    breaking.add_argument("id", help="the story's id (as /search and bantin search show it)")
    breaking.set_defaults(handler=cmd_breaking)
    return parser


def cmd_breaking(args: argparse.Namespace, config: Config) -> int:
    async def main() -> AdminReply:
        async with admin_session(config) as (desk, caller, _):
            return await desk.stories.breaking(caller, args.id)

    return print_answer(asyncio.run(main()))


def main(argv: Sequence[str] | None = None) -> int:
    """Every error ends here as one plain line (no traceback) with no secret in it."""
    parser = build_parser()
    args = parser.parse_args(argv)
    remember_env_secrets()
    with redacted_output():
        return _main(args)


def _main(args: argparse.Namespace) -> int:
    configure_logging(args.verbose)
    try:
        config = load_config(getattr(args, "config", None))
        remember_config_secrets(config)
        configure_logging(args.verbose, config.log.format)
        check_storage(config, create=not is_read_only(args))
        handler: Command = args.handler
        return handler(args, config)
    except ConfigError as exc:
        _say(f"bantin: config error: {exc}")
        return 2
    except TokenRejected as exc:
        _say(f"bantin: config error: {config.source}: {exc}")
        return 2
    except StoreError as exc:
        _say(f"bantin: storage error: {exc}")
        return 2
    except AlreadyRunning as exc:
        _say(f"bantin {args.command}: {exc}")
        return 2
    except StorageMissing as exc:
        _say(f"bantin {args.command}: {exc}")
        return 1
    except KeyboardInterrupt:
        return 0
    except Exception as exc:  # a bug: logged redacted, with its traceback for the report
        log.error("bantin %s: failed: %s: %s", args.command, type(exc).__name__, exc, exc_info=True)
        return 1


def _say(text: str) -> None:
    print(redact(text), file=sys.stderr)
