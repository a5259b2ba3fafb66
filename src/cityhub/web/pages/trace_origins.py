"""The farming records behind a batch: what was sown, fed, fertilised and sprayed upstream.

A pear lot is made by harvesting a crop lot, and the pesticide records are the crop lot's: a
consumer who scans the pear lot wants to see them too. This walks back through the
TransformationEvents that made the lot (its inputs, their inputs …, a few levels) and keeps
the farming steps recorded before the lot was made. They are shown apart from the lot's own
timeline: the lot's evidence document does not cover them; each links to its own lot's page,
where it is verified.
"""

from __future__ import annotations

from datetime import datetime

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import InvalidInput, NotFound
from cityhub.trace import batches
from cityhub.trace.batches import BatchHistory

FARMING_STEPS = frozenset({"planting", "fertilising", "pesticide_applying", "feeding"})
MAX_DEPTH = 3
MAX_LOTS = 8


def made_from(history: BatchHistory) -> tuple[list[str], datetime | None]:
    """The input lots of the events that made ``history``'s lot, and when it was made."""
    inputs: list[str] = []
    made: datetime | None = None
    for item in history.events:
        event = item["event"] or {}
        if item["via"] is not None or "output" not in item["roles"]:
            continue
        made = made or datetime.fromisoformat(item["event_time"])
        inputs += [q["epcClass"] for q in event.get("inputQuantityList", []) if "epcClass" in q]
        inputs += [epc for epc in event.get("inputEPCList", []) if isinstance(epc, str)]
    return list(dict.fromkeys(inputs)), made


def origin_histories(db: Database, actor: Actor, history: BatchHistory) -> list[BatchHistory]:
    """The histories of the lots ``history``'s lot was made from, nearest first, each
    cut to the farming records before its product was made."""
    found: list[BatchHistory] = []
    seen = {history.lot}
    level = [history]
    for _depth in range(MAX_DEPTH):
        following = []
        for child in level:
            inputs, made = made_from(child)
            for lot in inputs:
                if lot in seen or len(seen) > MAX_LOTS:
                    continue
                seen.add(lot)
                try:
                    parent = batches.batch_history(db, actor, lot)
                except (NotFound, InvalidInput):
                    continue  # an input the platform does not know: nothing to show
                following.append(parent)
                found.append(_farming(parent, made))
        level = following
    return [h for h in found if h.events]


def _farming(history: BatchHistory, before: datetime | None) -> BatchHistory:
    kept = [
        e
        for e in history.events
        if e["step"] in FARMING_STEPS
        and (before is None or datetime.fromisoformat(e["event_time"]) <= before)
    ]
    return BatchHistory(
        history.lot,
        history.gtin,
        history.lot_code,
        history.product_zh,
        history.product_en,
        history.created_index,
        history.last_index,
        kept,
    )
