"""`bantin`: run the bot, poll once, search, and look after the newsroom from a shell."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.admin.ops import Outcome
from bot.app import App
from bot.config import ConfigError, load_config
from bot.core.records import Article
from bot.core.settings import Config
from bot.store import Store, StoreError

if TYPE_CHECKING:
    from bot.admin.access import Caller
    from bot.admin.ops import AdminOps
    from bot.core.records import Stats

log = logging.getLogger("bantin")

Command = Callable[[argparse.Namespace, Config], int]


def configure_logging(verbose: bool = False) -> None:
    """One line per event; httpx logs full URLs (with a bot token in them), so it is silenced."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "httpcore", "apscheduler.executors", "apscheduler.scheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


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
        async with App(config, on_article=lambda a: print_article(a, config.zone)) as app:
            log.info(
                "bantin: %d feeds, store %s, polling every %d s",
                len(config.feeds),
                config.storage_path,
                config.poll.interval_seconds,
            )
            await app.run(stop)

    asyncio.run(main())
    log.info("bantin: stopped")
    return 0


def cmd_poll(args: argparse.Namespace, config: Config) -> int:
    async def main() -> int:
        async with App(config, on_article=lambda a: print_article(a, config.zone)) as app:
            reports = await app.poll_once()
        failed = 0
        for report in reports:
            if report.error:
                failed += 1
                print(f"✗ {report.feed}: {report.error}", file=sys.stderr)
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

    articles = asyncio.run(main())
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
    from bot.admin.report import format_stats

    async def main() -> Stats:
        async with admin_session(config) as (ops, _):
            return await ops.stats()

    stats = asyncio.run(main())
    if args.json:
        print(json.dumps(stats.to_json(), ensure_ascii=False, indent=2))
    else:
        print(format_stats(stats, config.timezone))
    return 0


# --- admin: the same operations as the chat commands, for scripts and cron -------------


@asynccontextmanager
async def admin_session(config: Config) -> AsyncIterator[tuple[AdminOps, Caller]]:
    """The store (with the config's feeds and channels synced, as the bot does at start),
    a guarded fetcher for test fetches, and the platform's ChatAccess when it has one.

    Everything is a row in the same SQLite file a running bot reads on each tick, so
    changes made here take effect there without a restart.
    """
    from bot.admin.access import Caller
    from bot.admin.wiring import build_admin_ops, make_fetcher
    from bot.app import cli_chat_access

    store = Store(config.storage_path, timezone=config.timezone)
    fetcher = make_fetcher(config)
    try:
        store.sync.feeds.sync_config(config.feeds)
        store.sync.chats.sync_channels("telegram", config.telegram.channels)
        ops = build_admin_ops(config, store, fetcher, access=cli_chat_access(config))
        yield ops, Caller.cli()
    finally:
        await fetcher.aclose()
        store.close()


def report(outcome: Outcome, as_json: bool = False) -> int:
    """Print an outcome: the answer on stdout, a refusal (one line why) on stderr; 0 or 1."""
    if as_json:
        print(
            json.dumps(
                {"ok": outcome.ok, "text": outcome.text, **outcome.data},
                ensure_ascii=False,
                indent=2,
            )
        )
    elif outcome.ok:
        print(outcome.text)
    else:
        print(f"bantin: {outcome.text}", file=sys.stderr)
    return 0 if outcome.ok else 1


def cmd_feeds(args: argparse.Namespace, config: Config) -> int:
    async def main() -> Outcome:
        async with admin_session(config) as (ops, caller):
            if args.verb == "list":
                return await ops.list_feeds()
            if args.verb == "add":
                selectors = {"item": args.item, "link": args.link, "title": args.title}
                return await ops.add_feed(
                    caller,
                    args.url,
                    args.name,
                    section=args.section,
                    kind=args.kind,
                    selectors=selectors,
                    check=not args.no_check,
                )
            if args.verb == "remove":
                return await ops.remove_feed(caller, args.feed)
            return await ops.set_paused(caller, args.feed, args.verb == "pause")

    return report(asyncio.run(main()), getattr(args, "json", False))


def cmd_channels(args: argparse.Namespace, config: Config) -> int:
    async def main() -> Outcome:
        async with admin_session(config) as (ops, caller):
            if args.verb == "list":
                return await ops.list_channels()
            if args.verb == "add":
                return await ops.add_channel(
                    caller, args.channel, platform=args.platform, check=not args.no_check
                )
            if args.verb == "remove":
                return await ops.remove_channel(caller, args.channel, platform=args.platform)
            return await ops.route_channel(caller, args.channel, args.feeds, platform=args.platform)

    return report(asyncio.run(main()), getattr(args, "json", False))


def cmd_broadcast(args: argparse.Namespace, config: Config) -> int:
    text = " ".join(args.text).strip()
    if text == "-":
        text = sys.stdin.read().strip()

    async def main() -> Outcome:
        async with admin_session(config) as (ops, caller):
            if not args.yes:
                people = await ops.audience()
                return Outcome(
                    True,
                    f"Sẽ gửi tới {people.total} chat:\n\n{text}\n\n"
                    "Chưa gửi: chạy lại với --yes để gửi.",
                    {"audience": people.total},
                )
            preview = await ops.broadcast_preview(caller, text)
            broadcast_id = preview.data.get("broadcast_id")
            if not preview.ok or not isinstance(broadcast_id, int):
                return preview
            return await ops.broadcast_confirm(caller, broadcast_id)

    return report(asyncio.run(main()))


def cmd_audit(args: argparse.Namespace, config: Config) -> int:
    store = Store(config.storage_path, timezone=config.timezone)
    try:
        entries = store.sync.audit.recent(args.limit)
    finally:
        store.close()
    if args.json:
        print(json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=2))
        return 0
    for entry in entries:
        detail = f" {entry.detail}" if entry.detail else ""
        print(
            f"{local_time(entry.at, config.zone)}  {entry.actor}  {entry.action}{detail}"
            f"  → {entry.result}"
        )
    if not entries:
        print("Nhật ký quản trị trống.")
    return 0


def cmd_export_opml(args: argparse.Namespace, config: Config) -> int:
    async def main() -> str:
        async with admin_session(config) as (ops, caller):
            return await ops.export_opml(caller)

    text = asyncio.run(main())
    if args.output and args.output != "-":
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_import_opml(args: argparse.Namespace, config: Config) -> int:
    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"bantin: không đọc được {args.file}: {exc}", file=sys.stderr)
        return 1

    async def main() -> Outcome:
        async with admin_session(config) as (ops, caller):
            return await ops.import_opml(caller, text, source=args.file)

    return report(asyncio.run(main()))


def cmd_backup(args: argparse.Namespace, config: Config) -> int:
    async def main() -> Outcome:
        async with admin_session(config) as (ops, caller):
            return await ops.backup(caller, Path(args.file))

    return report(asyncio.run(main()))


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
    add_admin_commands(sub, common)
    return parser


def add_admin_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    feeds = sub.add_parser("feeds", parents=[common], help="list, add, remove, pause feeds")
    feeds.set_defaults(handler=cmd_feeds)
    verbs = feeds.add_subparsers(dest="verb", required=True)
    listing = verbs.add_parser("list", parents=[common], help="every feed and its state")
    listing.add_argument("--json", action="store_true")
    add = verbs.add_parser("add", parents=[common], help="fetch a feed once, then add it")
    add.add_argument("url")
    add.add_argument("--name")
    add.add_argument("--section")
    add.add_argument("--kind", choices=("rss", "html"), default="rss")
    add.add_argument("--item", help="html: CSS selector of each story on the listing page")
    add.add_argument("--link", default="a", help="html: selector of the story link")
    add.add_argument("--title", help="html: selector of the story title")
    add.add_argument("--no-check", action="store_true", help="add without a test fetch")
    for verb, text in (
        ("remove", "delete an admin-added feed"),
        ("pause", "stop polling"),
        ("resume", "poll again"),
    ):
        one = verbs.add_parser(verb, parents=[common], help=text)
        one.add_argument("feed", help="id, name or URL")

    channels = sub.add_parser("channels", parents=[common], help="channels and their feeds")
    channels.set_defaults(handler=cmd_channels)
    cverbs = channels.add_subparsers(dest="verb", required=True)
    clist = cverbs.add_parser("list", parents=[common])
    clist.add_argument("--json", action="store_true")
    cadd = cverbs.add_parser("add", parents=[common], help="@name or numeric id")
    cadd.add_argument("channel")
    cadd.add_argument(
        "--no-check",
        action="store_true",
        help="add without asking the platform whether the bot may post there",
    )
    cremove = cverbs.add_parser("remove", parents=[common])
    cremove.add_argument("channel")
    croute = cverbs.add_parser(
        "route", parents=[common], help="which feeds (ids, names, sections, or all) go there"
    )
    croute.add_argument("channel")
    croute.add_argument("feeds", nargs="+")
    for parser in (cadd, cremove, croute):
        parser.add_argument("--platform", default="telegram", choices=("telegram", "zalo"))

    broadcast = sub.add_parser(
        "broadcast", parents=[common], help="a message to every active chat (through the outbox)"
    )
    broadcast.add_argument("text", nargs="+", help='the text, or "-" to read stdin')
    broadcast.add_argument("--yes", action="store_true", help="send; without it, only preview")
    broadcast.set_defaults(handler=cmd_broadcast)

    audit = sub.add_parser("audit", parents=[common], help="who did what, when, with what result")
    audit.add_argument("--limit", type=int, default=50)
    audit.add_argument("--json", action="store_true")
    audit.set_defaults(handler=cmd_audit)

    export = sub.add_parser("export-opml", parents=[common], help="feeds as OPML")
    export.add_argument("--output", "-o", help="file (default: stdout)")
    export.set_defaults(handler=cmd_export_opml)
    imported = sub.add_parser("import-opml", parents=[common], help="add the feeds of an OPML")
    imported.add_argument("file")
    imported.set_defaults(handler=cmd_import_opml)

    backup = sub.add_parser(
        "backup", parents=[common], help="a consistent copy of the database, while the bot runs"
    )
    backup.add_argument("file")
    backup.set_defaults(handler=cmd_backup)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        config = load_config(getattr(args, "config", None))
        handler: Command = args.handler
        return handler(args, config)
    except ConfigError as exc:
        print(f"bantin: config error: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"bantin: storage error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
