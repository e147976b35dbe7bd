"""The durable outbox: every decided event is committed here before it is published, and
deleted only when the hub's ``ack`` names it.

SQLite with ``synchronous=FULL``: a committed event survives power loss. The per-device
``seq`` is allocated in the same transaction as the event, so it rises strictly across
restarts. ``decided`` keeps every event id the kiosk ever decided (pruned after 90
days): the record that delivery checks are made against.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    event_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    envelope TEXT NOT NULL,
    created_at REAL NOT NULL,
    last_sent_at REAL,
    send_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS decided (
    event_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    staff_id TEXT NOT NULL,
    decided_at REAL NOT NULL,
    acked_at REAL
);
"""
KEEP_DECIDED_S = 90 * 86400


@dataclass(frozen=True, slots=True)
class Pending:
    event_id: str
    seq: int
    envelope: str


class Outbox:
    """Thread-safe (one connection, one lock): the pipeline adds, the uplink sends and acks."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def add(self, build: Callable[[int], tuple[str, str, dict[str, Any]]]) -> Pending:
        """Allocate the next seq, let ``build(seq)`` make ``(event_id, staff_id, envelope)``,
        and commit both in one transaction."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT value FROM meta WHERE key='seq'").fetchone()
                seq = (row[0] if row else 0) + 1
                event_id, staff_id, envelope = build(seq)
                text = json.dumps(envelope, separators=(",", ":"))
                now = time.time()
                self._db.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('seq', ?)", (seq,)
                )
                self._db.execute(
                    "INSERT INTO outbox(event_id, seq, envelope, created_at) VALUES (?, ?, ?, ?)",
                    (event_id, seq, text, now),
                )
                self._db.execute(
                    "INSERT INTO decided(event_id, seq, staff_id, decided_at) VALUES (?, ?, ?, ?)",
                    (event_id, seq, staff_id, now),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return Pending(event_id, seq, text)

    def due(self, resend_after_s: float, limit: int = 500) -> list[Pending]:
        """Events never sent, or sent longer ago than ``resend_after_s`` without an ack."""
        cutoff = time.time() - resend_after_s
        with self._lock:
            rows = self._db.execute(
                "SELECT event_id, seq, envelope FROM outbox WHERE last_sent_at IS NULL "
                "OR last_sent_at < ? ORDER BY seq LIMIT ?",
                (cutoff, limit),
            ).fetchall()
        return [Pending(*r) for r in rows]

    def mark_sent(self, event_ids: list[str]) -> None:
        if not event_ids:
            return
        now = time.time()
        with self._lock:
            self._db.executemany(
                "UPDATE outbox SET last_sent_at=?, send_count=send_count+1 WHERE event_id=?",
                [(now, e) for e in event_ids],
            )

    def ack(self, event_ids: list[str]) -> int:
        """Delete acknowledged events; answers how many were still here."""
        if not event_ids:
            return 0
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            cur = self._db.executemany(
                "DELETE FROM outbox WHERE event_id=?", [(e,) for e in event_ids]
            )
            deleted = cur.rowcount
            self._db.executemany(
                "UPDATE decided SET acked_at=? WHERE event_id=? AND acked_at IS NULL",
                [(now, e) for e in event_ids],
            )
            self._db.execute("DELETE FROM decided WHERE decided_at < ?", (now - KEEP_DECIDED_S,))
            self._db.execute("COMMIT")
        return deleted

    def reset_sent(self) -> None:
        """After a reconnect, send everything unacked again at once."""
        with self._lock:
            self._db.execute("UPDATE outbox SET last_sent_at=NULL")

    def depth(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]

    def decided_ids(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT event_id FROM decided ORDER BY seq")]

    def last_decided(self) -> dict[str, float]:
        """staff id -> when the kiosk last decided an event for them (seeds the cooldown
        after a restart)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT staff_id, MAX(decided_at) FROM decided GROUP BY staff_id"
            ).fetchall()
        return {staff_id: at for staff_id, at in rows}

    def last_seq(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key='seq'").fetchone()
        return row[0] if row else 0

    def close(self) -> None:
        with self._lock:
            self._db.close()
