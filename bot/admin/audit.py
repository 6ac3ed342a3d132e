"""The step every admin operation ends with: one audit row (who, what, result), one log line."""

from __future__ import annotations

import logging

from bot.core.ports import AuditPort
from bot.core.records import AdminReply, Caller

log = logging.getLogger(__name__)


class AuditTrail:
    def __init__(self, audit: AuditPort) -> None:
        self._audit = audit

    async def __call__(
        self, caller: Caller, action: str, detail: str, reply: AdminReply
    ) -> AdminReply:
        result = "ok" if reply.ok else "refused: " + reply.headline
        await self._audit.record(caller.actor, action, detail, result)
        log.info("admin %s: %s %s → %s", caller.actor, action, detail, result)
        return reply
