"""Deciding per track: agreement over several crops, liveness, and a per-person cooldown."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from faces.gallery import Match


@dataclass(frozen=True, slots=True)
class Decision:
    """Someone was recognised: what becomes an attendance event."""

    staff_id: str
    name: str
    score: float
    liveness: float | None
    #: Capture time of the pass (the track's first frame), wall clock seconds.
    captured_at: float
    #: Monotonic time of the first frame with this face, for the face-to-event latency.
    first_seen: float
    track_id: int


def agreed_identity(votes: list[Match], agreement: int) -> tuple[str | None, list[Match]]:
    """The person named by at least ``agreement`` crops (and by more crops than anyone
    else), with the votes for them; (None, []) otherwise."""
    counts = Counter(v.staff_id for v in votes if v.staff_id is not None)
    if not counts:
        return None, []
    (best, n), *rest = counts.most_common()
    if n < agreement or (rest and rest[0][1] == n):
        return None, []
    return best, [v for v in votes if v.staff_id == best]


class Cooldown:
    """One event per person per ``seconds`` (by capture time)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._last: dict[str, float] = {}

    def allows(self, staff_id: str, at: float) -> bool:
        last = self._last.get(staff_id)
        return last is None or at - last >= self.seconds

    def record(self, staff_id: str, at: float) -> None:
        self._last[staff_id] = at
