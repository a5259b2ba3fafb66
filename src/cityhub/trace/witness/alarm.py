"""Equivocation evidence leaves the witness: a file under the state directory and an alarm POST.

Both are best effort and happen after the evidence row is committed: the 422 answer to the log
does not wait for them, and their failures are logged, never raised.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import threading
import urllib.request
from pathlib import Path
from typing import Any

from cityhub.trace.witness.store import Evidence

log = logging.getLogger(__name__)

ALARM_TIMEOUT_SECONDS = 3.0
EVIDENCE_DIR = "evidence"


def evidence_payload(witness: str, evidence: Evidence) -> dict[str, Any]:
    """The JSON body of the alarm (``GET /evidence`` entries add ``received_at``)."""
    return {
        "kind": "witness.equivocation",
        "witness": witness,
        "origin": evidence.origin,
        "size": evidence.size,
        "roots": [base64.b64encode(root).decode() for root in evidence.roots],
        "evidence": list(evidence.notes),
    }


def write_evidence_file(state_dir: Path, witness: str, evidence: Evidence) -> Path:
    """Write the evidence as JSON next to the database (atomically: temp file, then rename)."""
    folder = state_dir / EVIDENCE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    origin_hash = hashlib.sha256(evidence.origin.encode()).hexdigest()[:16]
    path = folder / f"{origin_hash}-{evidence.size}-{evidence.id}.json"
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        payload = {**evidence_payload(witness, evidence), "received_at": evidence.received_at}
        json.dump(payload, out, ensure_ascii=False, indent=2)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)
    return path


def post_alarm(url: str, payload: dict[str, Any]) -> None:
    """POST the alarm JSON to ``url``; log, never raise, on failure."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=ALARM_TIMEOUT_SECONDS) as response:
            response.read()
    except Exception:  # any failure of a best-effort alarm is only worth a log line
        log.exception("equivocation alarm to %s failed", url)


def raise_alarm(url: str, payload: dict[str, Any]) -> threading.Thread:
    """Send the alarm in a daemon thread, so the caller's response is not held up."""
    thread = threading.Thread(
        target=post_alarm, args=(url, payload), name="witness-alarm", daemon=True
    )
    thread.start()
    return thread
