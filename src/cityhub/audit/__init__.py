"""The audit trail: an append-only record of every data read and write, login and permission change.

Writes are audited inside the same transaction as the change (``record``), so a change and its audit
row commit or vanish together; refusals and failures are audited in a transaction of their own
(``record_alone``), so that they stay recorded when the request fails.
"""

from cityhub.audit.service import (
    AuditFilter,
    AuditPage,
    Entry,
    Outcome,
    count_events,
    deny,
    list_events,
    record,
    record_alone,
    record_many,
    require,
)

__all__ = [
    "AuditFilter",
    "AuditPage",
    "Entry",
    "Outcome",
    "count_events",
    "deny",
    "list_events",
    "record",
    "record_alone",
    "record_many",
    "require",
]
