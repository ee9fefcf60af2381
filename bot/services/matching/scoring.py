"""How well two people would do as peer mentors: one score, and the reasons that make it up.

The score is the sum of its reasons' points, so the "why you were matched" text is drawn
from exactly what the matcher weighed. `shortlist.py` applies the same rules to a whole pool
at once; a test keeps the two in step.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.models import Profile
from bot.services.options import level_rank


@dataclass(frozen=True)
class Weights:
    """Every knob of the score, in one place. Points are per pair unless it says "per"."""

    # Peers at the same stage face the same strains and meet as equals.
    same_level: float = 4.0
    # One step apart still works as peers, with a little less common ground.
    adjacent_levels: float = -1.0
    # Per step beyond one: that is classic mentoring, not peer mentoring. More than any pair
    # can earn, so it only happens when otherwise someone would sit the round out.
    distant_levels_per_step: float = -30.0
    # Per shared career goal (up to `max_goals_counted`): something to work on side by side.
    shared_goal: float = 1.5
    max_goals_counted: int = 2
    # One teaches what the other wants to grow: the reason to meet at all.
    teaches: float = 3.0
    # Each further teachable topic (up to `max_topics_counted` in all): nice, not essential.
    teaches_extra: float = 1.0
    max_topics_counted: int = 3
    # Both give and both receive: the heart of peer mentoring, so two-way clearly beats one-way.
    two_way: float = 4.0
    # Same kind of work ("Other" excepted): they understand each other's day.
    same_function: float = 2.0
    # Per topic both can already share (up to `max_topics_counted`): room to talk shop.
    shared_expertise: float = 0.5
    # Another team brings fresh angles and keeps candour free of team politics.
    different_teams: float = 2.0
    # The same team: less diversity of thought, and candour is harder with a close colleague.
    same_team: float = -2.0
    # A different path into the work brings diversity of thought.
    different_backgrounds: float = 1.0
    # Per hour of shared working day missing below `comfortable_overlap_hours`.
    missing_overlap_hour: float = -1.0
    comfortable_overlap_hours: float = 4.0


WEIGHTS = Weights()

# Working hours assumed for everyone, in their own time zone.
WORKDAY_START_HOUR = 9
WORKDAY_HOURS = 8
# Backgrounds sharing at most one in this many of their words count as different.
BACKGROUND_SIMILAR_ONE_IN = 5
# Two people who both picked "Other" need not do the same kind of work.
FUNCTION_WITHOUT_MEANING = "other"


class ReasonCode(StrEnum):
    SAME_LEVEL = "same_level"
    ADJACENT_LEVELS = "adjacent_levels"
    DISTANT_LEVELS = "distant_levels"
    SHARED_GOALS = "shared_goals"
    TEACHES = "teaches"
    TWO_WAY = "two_way"
    SAME_FUNCTION = "same_function"
    SHARED_EXPERTISE = "shared_expertise"
    DIFFERENT_TEAMS = "different_teams"
    SAME_TEAM = "same_team"
    DIFFERENT_BACKGROUNDS = "different_backgrounds"
    FEW_SHARED_HOURS = "few_shared_hours"


@dataclass(frozen=True)
class Reason:
    """One term of a pair's score: what is true of the two people, and what it was worth."""

    code: ReasonCode
    points: float
    users: tuple[str, str]
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "points": self.points,
            "users": list(self.users),
            "data": dict(self.data),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Reason:
        first, second = raw["users"]
        return cls(ReasonCode(raw["code"]), float(raw["points"]), (first, second), raw["data"])


@dataclass(frozen=True)
class PairScore:
    users: tuple[str, str]
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Candidate:
    """What matching needs to know about one person, normalised once per round."""

    user_id: str
    level: str
    level_rank: int
    function: str
    team_name: str
    team_key: str
    tz: str
    # Normalised key -> the person's own label, in the order they gave them.
    career_goals: Mapping[str, str]
    can_share: Mapping[str, str]
    want_to_grow: Mapping[str, str]
    background_words: int  # a 64-bit set of hashed words; 0 when no background was given
    waitlisted: bool = False

    @classmethod
    def from_profile(cls, profile: Profile, *, waitlisted: bool = False) -> Candidate:
        return cls(
            user_id=profile.user_id,
            level=profile.experience_level,
            level_rank=level_rank(profile.experience_level),
            function=profile.function,
            team_name=profile.team_name.strip(),
            team_key=topic_key(profile.team_name),
            tz=profile.tz,
            career_goals=keyed_labels(profile.career_goals),
            can_share=keyed_labels(profile.can_share),
            want_to_grow=keyed_labels(profile.want_to_grow),
            background_words=background_fingerprint(profile.background or ""),
            waitlisted=waitlisted,
        )


@lru_cache(maxsize=65536)  # the same few labels come up thousands of times in a big pool
def topic_key(label: str) -> str:
    """Topics typed by people compare as they mean them: case, spacing and punctuation aside."""
    return "".join(ch for ch in label.casefold() if ch.isalnum())


def keyed_labels(labels: Iterable[str]) -> dict[str, str]:
    keyed: dict[str, str] = {}
    for label in labels:
        key = topic_key(label)
        if key and key not in keyed:
            keyed[key] = label.strip()
    return keyed


_WORD = re.compile(r"[^\W_]+")
# Words that say nothing about where someone comes from.
_STOP_WORDS = frozenset(
    {"and", "the", "for", "with", "from", "into", "then", "now", "was", "were", "have", "has"}
    | {"had", "but", "not", "our", "his", "her", "their", "this", "that", "years", "year"}
    | {"worked", "working", "work", "before", "after", "also", "more", "most", "i", "my"}
)


def background_fingerprint(text: str) -> int:
    """The background's distinct words hashed into 64 bits, so pools compare them cheaply.

    A rare hash collision can only make two backgrounds look alike, withholding a bonus;
    it never invents a difference.
    """
    bits = 0
    for word in _WORD.findall(text.casefold()):
        if len(word) >= 3 and word not in _STOP_WORDS:
            bits |= 1 << (zlib.crc32(word.encode()) % 64)
    return bits


def backgrounds_differ(a_words: int, b_words: int) -> bool:
    if not a_words or not b_words:
        return False  # an empty background tells us nothing
    shared = (a_words & b_words).bit_count()
    together = (a_words | b_words).bit_count()
    return shared * BACKGROUND_SIMILAR_ONE_IN <= together


@lru_cache(maxsize=4096)
def utc_offset_minutes(tz: str, now: datetime) -> int:
    """The zone's offset at `now`, rounded to the quarter hour every real zone uses today."""
    try:
        offset = now.astimezone(ZoneInfo(tz)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        offset = None  # an unknown zone is treated as UTC rather than blocking the round
    minutes = offset.total_seconds() / 60 if offset is not None else 0.0
    return int(round(minutes / 15) * 15)


def shared_working_hours(a_offset_minutes: int, b_offset_minutes: int) -> float:
    """Hours both are at work, when each works 09:00–17:00 in their own zone."""
    apart = abs(a_offset_minutes - b_offset_minutes) % (24 * 60)
    apart = min(apart, 24 * 60 - apart)
    return max(0, WORKDAY_HOURS * 60 - apart) / 60


def level_points(gap: int) -> float:
    if gap == 0:
        return WEIGHTS.same_level
    if gap == 1:
        return WEIGHTS.adjacent_levels
    return WEIGHTS.distant_levels_per_step * (gap - 1)


def goal_points(shared_goals: int) -> float:
    return WEIGHTS.shared_goal * min(shared_goals, WEIGHTS.max_goals_counted)


def teaching_points(topic_count: int) -> float:
    if topic_count == 0:
        return 0.0
    counted = min(topic_count, WEIGHTS.max_topics_counted)
    return WEIGHTS.teaches + WEIGHTS.teaches_extra * (counted - 1)


def expertise_points(shared_topics: int) -> float:
    return WEIGHTS.shared_expertise * min(shared_topics, WEIGHTS.max_topics_counted)


def hours_points(hours: float) -> float:
    missing = max(0.0, WEIGHTS.comfortable_overlap_hours - hours)
    return WEIGHTS.missing_overlap_hour * missing


def score_pair(a: Candidate, b: Candidate, *, now: datetime, forbid_same_team: bool) -> PairScore | None:
    """Score a possible pair, or None when they may not be paired at all.

    Past pairings are not checked here: the round checks them, as only it has the history.
    """
    if a.user_id == b.user_id:
        return None
    same_team = bool(a.team_key) and a.team_key == b.team_key
    if same_team and forbid_same_team:
        return None

    w = WEIGHTS
    users = (a.user_id, b.user_id)
    reasons: list[Reason] = []

    def add(code: ReasonCode, points: float, **data: Any) -> None:
        reasons.append(Reason(code, points, users, data))

    gap = abs(a.level_rank - b.level_rank)
    if gap == 0:
        add(ReasonCode.SAME_LEVEL, level_points(gap), level=a.level)
    elif gap == 1:
        add(ReasonCode.ADJACENT_LEVELS, level_points(gap), levels=[a.level, b.level])
    else:
        add(ReasonCode.DISTANT_LEVELS, level_points(gap), levels=[a.level, b.level])

    goals = [label for key, label in a.career_goals.items() if key in b.career_goals]
    if goals:
        add(ReasonCode.SHARED_GOALS, goal_points(len(goals)), goals=goals)

    a_teaches = [label for key, label in a.can_share.items() if key in b.want_to_grow]
    b_teaches = [label for key, label in b.can_share.items() if key in a.want_to_grow]
    for teacher, learner, topics in ((a, b, a_teaches), (b, a, b_teaches)):
        if topics:
            add(
                ReasonCode.TEACHES,
                teaching_points(len(topics)),
                teacher=teacher.user_id,
                learner=learner.user_id,
                topics=topics,
            )
    if a_teaches and b_teaches:
        add(ReasonCode.TWO_WAY, w.two_way)

    if a.function == b.function and a.function != FUNCTION_WITHOUT_MEANING:
        add(ReasonCode.SAME_FUNCTION, w.same_function, function=a.function)

    expertise = [label for key, label in a.can_share.items() if key in b.can_share]
    if expertise:
        add(ReasonCode.SHARED_EXPERTISE, expertise_points(len(expertise)), topics=expertise)

    if same_team:
        add(ReasonCode.SAME_TEAM, w.same_team, team=a.team_name)
    elif a.team_key and b.team_key:
        add(ReasonCode.DIFFERENT_TEAMS, w.different_teams)

    if backgrounds_differ(a.background_words, b.background_words):
        add(ReasonCode.DIFFERENT_BACKGROUNDS, w.different_backgrounds)

    hours = shared_working_hours(utc_offset_minutes(a.tz, now), utc_offset_minutes(b.tz, now))
    penalty = hours_points(hours)
    if penalty:
        add(ReasonCode.FEW_SHARED_HOURS, penalty, hours=hours)

    return PairScore(users, sum(reason.points for reason in reasons), tuple(reasons))
