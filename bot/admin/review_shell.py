"""`bantin review list|approve ID|drop ID|edit ID TEXT`: the review desk from a shell.

The same operations as the chat buttons, audited as the shell's user; a running bot
sends what is approved here on its next outbox round.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.admin.shell import admin_session, report
from bot.core.records import AdminReply
from bot.core.settings import Config


def cmd_review(args: argparse.Namespace, config: Config) -> int:
    async def main() -> AdminReply:
        async with admin_session(config) as (desk, caller, _):
            if args.verb == "list":
                return await desk.review.show(args.limit)
            if args.verb == "approve":
                return await desk.review.approve(caller, args.id)
            if args.verb == "drop":
                return await desk.review.drop(caller, args.id)
            return await desk.review.edit(caller, args.id, " ".join(args.text))

    return report(asyncio.run(main()), getattr(args, "json", False))


def add_review_command(sub: Any, common: argparse.ArgumentParser) -> None:
    review = sub.add_parser(
        "review", parents=[common], help="stories waiting for an editor ([publish] review)"
    )
    review.set_defaults(handler=cmd_review)
    verbs = review.add_subparsers(dest="verb", required=True)
    listing = verbs.add_parser("list", parents=[common], help="the queue, oldest first")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true")
    for verb, text in (
        ("approve", "publish: queue it for every subscriber"),
        ("drop", "never send it"),
    ):
        one = verbs.add_parser(verb, parents=[common], help=text)
        one.add_argument("id", help="the story's number (#12 or 12)")
        one.add_argument("--json", action="store_true")
    edit = verbs.add_parser("edit", parents=[common], help="replace the summary readers get")
    edit.add_argument("id")
    edit.add_argument("text", nargs="+")
    edit.add_argument("--json", action="store_true")
