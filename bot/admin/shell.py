"""The admin room from a shell: `bantin feeds|channels|broadcast|audit|export-opml|
import-opml|backup`, the same operations as the chat commands, for scripts and cron."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from bot.admin.access import shell_caller
from bot.admin.desk import AdminDesk
from bot.admin.wiring import build_admin_desk, make_fetcher
from bot.app import configured_summarizer, make_llm
from bot.core.records import AdminReply, AuditEntry, Caller
from bot.core.settings import Config
from bot.outlets import cli_chat_access
from bot.store import Store, open_store


class AdminSession(NamedTuple):
    desk: AdminDesk
    caller: Caller
    store: Store


@asynccontextmanager
async def admin_session(config: Config) -> AsyncIterator[AdminSession]:
    """The store (with the config's feeds and channels synced, as the bot does at start),
    a guarded fetcher for test fetches, and the platform's ChatAccess when it has one.

    Everything is a row in the same SQLite file a running bot reads on each tick, so
    changes made here take effect there without a restart.
    """
    store = open_store(config)
    fetcher = make_fetcher(config)
    llm = make_llm(config)
    try:
        await store.feeds.sync_config(config.feeds)
        await store.chats.sync_channels("telegram", config.telegram.channels)
        desk = build_admin_desk(
            config,
            store,
            fetcher,
            configured_summarizer(llm),
            access=cli_chat_access(config),
        )
        yield AdminSession(desk, shell_caller(), store)
    finally:
        await fetcher.aclose()
        if llm is not None:
            await llm.aclose()
        store.close()


def report(answer: AdminReply, as_json: bool = False) -> int:
    """Print an answer on stdout, or a refusal (one line why) on stderr; 0 or 1."""
    if as_json:
        print(
            json.dumps(
                {"ok": answer.ok, "text": answer.text, **answer.data},
                ensure_ascii=False,
                indent=2,
            )
        )
    elif answer.ok:
        print(answer.text)
    else:
        print(f"bantin: {answer.text}", file=sys.stderr)
    return 0 if answer.ok else 1


def cmd_feeds(args: argparse.Namespace, config: Config) -> int:
    async def main() -> AdminReply:
        async with admin_session(config) as (desk, caller, _):
            if args.verb == "list":
                return await desk.feeds.show()
            if args.verb == "add":
                selectors = {"item": args.item, "link": args.link, "title": args.title}
                return await desk.feeds.add(
                    caller,
                    args.url,
                    args.name,
                    section=args.section,
                    kind=args.kind,
                    selectors=selectors,
                    check=not args.no_check,
                )
            if args.verb == "remove":
                return await desk.feeds.remove(caller, args.feed)
            return await desk.feeds.set_paused(caller, args.feed, args.verb == "pause")

    return report(asyncio.run(main()), getattr(args, "json", False))


def cmd_channels(args: argparse.Namespace, config: Config) -> int:
    async def main() -> AdminReply:
        async with admin_session(config) as (desk, caller, _):
            if args.verb == "list":
                return await desk.channels.show()
            if args.verb == "add":
                return await desk.channels.add(
                    caller, args.channel, platform=args.platform, check=not args.no_check
                )
            if args.verb == "remove":
                return await desk.channels.remove(caller, args.channel, platform=args.platform)
            return await desk.channels.route(
                caller, args.channel, args.feeds, platform=args.platform
            )

    return report(asyncio.run(main()), getattr(args, "json", False))


def cmd_broadcast(args: argparse.Namespace, config: Config) -> int:
    text = " ".join(args.text).strip()
    if text == "-":
        text = sys.stdin.read().strip()

    async def main() -> AdminReply:
        async with admin_session(config) as (desk, caller, store):
            if not args.yes:
                people = await store.broadcasts.audience()
                return AdminReply(
                    True,
                    f"Sẽ gửi tới {people.total} chat:\n\n{text}\n\n"
                    "Chưa gửi: chạy lại với --yes để gửi.",
                    {"audience": people.total},
                )
            preview = await desk.broadcasts.preview(caller, text)
            broadcast_id = preview.data.get("broadcast_id")
            if not preview.ok or not isinstance(broadcast_id, int):
                return preview
            return await desk.broadcasts.confirm(caller, broadcast_id)

    return report(asyncio.run(main()))


def cmd_audit(args: argparse.Namespace, config: Config) -> int:
    async def main() -> list[AuditEntry]:
        store = open_store(config)
        try:
            return await store.audit.recent(args.limit)
        finally:
            store.close()

    entries = asyncio.run(main())
    if args.json:
        print(json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=2))
        return 0
    for entry in entries:
        detail = f" {entry.detail}" if entry.detail else ""
        print(
            f"{datetime.fromtimestamp(entry.at, config.zone).isoformat(timespec='minutes')}"
            f"  {entry.actor}  {entry.action}{detail}"
            f"  → {entry.result}"
        )
    if not entries:
        print("Nhật ký quản trị trống.")
    return 0


def cmd_export_opml(args: argparse.Namespace, config: Config) -> int:
    async def main() -> str:
        async with admin_session(config) as (desk, caller, _):
            return await desk.backup.export_opml(caller)

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

    async def main() -> AdminReply:
        async with admin_session(config) as (desk, caller, _):
            return await desk.backup.import_opml(caller, text, source=args.file)

    return report(asyncio.run(main()))


def cmd_backup(args: argparse.Namespace, config: Config) -> int:
    async def main() -> AdminReply:
        async with admin_session(config) as (desk, caller, _):
            return await desk.backup.copy(caller, Path(args.file))

    return report(asyncio.run(main()))


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
