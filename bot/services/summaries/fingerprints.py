"""One-way fingerprints of people, so a summary's membership can be compared later without
storing who was in it."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass


def fingerprint(team_id: str, user_id: str) -> int:
    """A one-way 64-bit fingerprint of a person, keyed by workspace; never stored with a user id."""
    digest = hashlib.blake2b(user_id.encode(), digest_size=8, key=team_id.encode()[:64]).digest()
    return int.from_bytes(digest, "little")


def pack(fingerprints: Iterable[int]) -> bytes:
    ordered = sorted(set(fingerprints))
    return struct.pack(f"<{len(ordered)}Q", *ordered)


def unpack(blob: bytes) -> frozenset[int]:
    return frozenset(struct.unpack(f"<{len(blob) // 8}Q", blob))


def digest(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


@dataclass(frozen=True)
class Group:
    """A set of counted people as fingerprints, with a digest to spot the same set again."""

    fingerprints: frozenset[int]
    digest: str

    @classmethod
    def of_members(cls, team_id: str, members: Iterable[str]) -> Group:
        fps = frozenset(fingerprint(team_id, m) for m in members)
        return cls(fps, digest(pack(fps)))

    @property
    def packed(self) -> bytes:
        return pack(self.fingerprints)
