"""Who was ever paired with whom, kept only as one-way hashes, so no pair ever repeats."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from itertools import combinations
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import PastPairing


def pair_key(team_id: str, user_a: str, user_b: str) -> str:
    """SHA-256 of the team and both ids, sorted so the order of the two does not matter."""
    first, second = sorted((user_a, user_b))
    return hashlib.sha256(f"{team_id}\x1f{first}\x1f{second}".encode()).hexdigest()


def past_pair_keys(*, session: Session, team_id: str) -> set[str]:
    return set(session.scalars(select(PastPairing.pair_key).where(PastPairing.team_id == team_id)))


def past_pairing_rows(*, team_id: str, user_ids: Sequence[str], now: datetime) -> list[dict[str, Any]]:
    """`PastPairing` rows (for a bulk insert): one per two-person combination of a pair or trio."""
    return [
        {"team_id": team_id, "pair_key": pair_key(team_id, a, b), "created_at": now}
        for a, b in combinations(user_ids, 2)
    ]
