"""The "why you were matched" text, in a few plain sentences drawn only from a pair's stored reasons.

Every clause comes from one reason the score counted, so the text never claims what the
matcher did not see (no reciprocity that isn't there, no "different teams" for teammates).
People are named by Slack mention, which Slack renders as their name. The text is Slack
mrkdwn, ready to show: anything a person typed (a topic of their own) is escaped here, so the
mentions stay live and nobody's words can inject formatting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.services.matching.scoring import Reason, ReasonCode, topic_key
from bot.services.options import CAREER_GOALS, FUNCTIONS, TOPICS, label_of

_LEVEL_PHRASES = {
    "early": "early in your careers",
    "mid": "mid-level",
    "senior": "senior",
    "lead": "at lead or principal level",
}
_BUILT_IN_TOPICS = {topic_key(choice.label): choice.label for choice in TOPICS}
_BUILT_IN_GOALS = {topic_key(choice.label): choice.label for choice in CAREER_GOALS}
# Below this many shared working hours, the caveat says to prefer messages over calls.
_HOURS_FOR_A_CALL = 1


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


@dataclass(frozen=True)
class _Voice:
    """Who the sentences about the pair speak of: "you" in a pair; the two by name in a trio."""

    subject: str
    possessive: str
    everyone: str


_TO_THE_PAIR = _Voice("You", "your", "you both")


def explain(reasons: Sequence[Reason]) -> str:
    """Two or three short sentences for a pair; a trio gets one more about its third person."""
    groups: dict[tuple[str, str], list[Reason]] = {}
    for reason in reasons:
        groups.setdefault(reason.users, []).append(reason)
    if not groups:
        return _BEST_AVAILABLE.format(subject="You")
    (pair, pair_reasons), *third_groups = groups.items()
    if not third_groups:
        return " ".join(_pair_sentences(pair_reasons, _TO_THE_PAIR))
    third = next(user for user in third_groups[0][0] if user not in pair)
    voice = _Voice(f"{mention(pair[0])} and {mention(pair[1])}", "their", "everyone")
    sentences = _pair_sentences(pair_reasons, voice)
    sentences.append(_third_sentence(third, [r for _, rs in third_groups for r in rs]))
    return " ".join(sentences)


_BEST_AVAILABLE = "{subject} were the best available match for each other this round."


def _pair_sentences(reasons: list[Reason], voice: _Voice) -> list[str]:
    by_code = {reason.code: reason for reason in reasons}
    sentences = []
    common = _common_ground(by_code)
    if common:
        sentences.append(f"{voice.subject} {_and(common)}.")
    teaching = _teaching(reasons, by_code, voice)
    if teaching:
        sentences.append(teaching)
    fresh = _fresh_angles(by_code, voice)
    if fresh:
        sentences.append(fresh)
    return sentences or [_BEST_AVAILABLE.format(subject=voice.subject)]


def _common_ground(by_code: dict[ReasonCode, Reason]) -> list[str]:
    clauses = []
    if level := by_code.get(ReasonCode.SAME_LEVEL):
        level_slug = level.data["level"]
        clauses.append(f"are both {_LEVEL_PHRASES.get(level_slug, level_slug)}")
    if function := by_code.get(ReasonCode.SAME_FUNCTION):
        clauses.append(f"both work in {_lower_first(label_of(FUNCTIONS, function.data['function']))}")
    if goals := by_code.get(ReasonCode.SHARED_GOALS):
        goal = goals.data["goals"][0]
        built_in = _BUILT_IN_GOALS.get(topic_key(goal))
        if built_in:
            clauses.append(f"both want to {_lower_first(built_in)}")
        else:
            clauses.append(f"share the career goal “{goal.strip()}”")
    return clauses


def _teaching(reasons: list[Reason], by_code: dict[ReasonCode, Reason], voice: _Voice) -> str | None:
    teaches = [reason for reason in reasons if reason.code == ReasonCode.TEACHES]
    if teaches:
        first = teaches[0].data
        teacher, learner = mention(first["teacher"]), mention(first["learner"])
        sentence = f"{teacher} can help with {_topic(first['topics'])}, which {learner} wants to grow"
        if len(teaches) > 1:
            sentence += f", and {learner}'s {_topic(teaches[1].data['topics'])} is on {teacher}'s list"
        return sentence + "."
    if expertise := by_code.get(ReasonCode.SHARED_EXPERTISE):
        return f"{voice.subject} can both share {_topic(expertise.data['topics'])}, so compare notes."
    return None


def _fresh_angles(by_code: dict[ReasonCode, Reason], voice: _Voice) -> str | None:
    different = []
    if ReasonCode.DIFFERENT_TEAMS in by_code:
        different.append("work in different teams")
    if ReasonCode.DIFFERENT_BACKGROUNDS in by_code:
        different.append("come from different backgrounds")
    parts = [f"{voice.subject} {_and(different)}, so expect fresh angles"] if different else []
    if hours := by_code.get(ReasonCode.FEW_SHARED_HOURS):
        shared = float(hours.data["hours"])
        if shared >= _HOURS_FOR_A_CALL:
            about = f"{shared:g} hour" + ("" if shared == 1 else "s")
            parts.append(
                f"{voice.possessive} working hours overlap by only about {about}, "
                f"so pick a time that suits {voice.everyone}"
            )
        else:
            parts.append(
                f"{voice.possessive} working hours barely overlap, so messages may work better than calls"
            )
    if not parts:
        return None
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def _third_sentence(third: str, reasons: list[Reason]) -> str:
    who = mention(third)
    for reason in reasons:
        if reason.code != ReasonCode.TEACHES:
            continue
        topics = _topic(reason.data["topics"])
        if reason.data["teacher"] == third:
            learner = mention(reason.data["learner"])
            return f"{who} joins you as a third and can help with {topics}, which {learner} wants to grow."
        teacher = mention(reason.data["teacher"])
        return f"{who} joins you as a third and wants to grow {topics}, which {teacher} can help with."
    levels = [r.data["level"] for r in reasons if r.code == ReasonCode.SAME_LEVEL]
    if len(levels) == 2:
        phrase = _LEVEL_PHRASES.get(levels[0], levels[0])
        return f"{who} joins you as a third, also {phrase}."
    return f"{who} joins you as a third."


def _topic(labels: Sequence[str]) -> str:
    """The first topic only: enough to say why, and the intro lists the rest."""
    return _topic_text(labels[0])


def _topic_text(label: str) -> str:
    built_in = _BUILT_IN_TOPICS.get(topic_key(label))
    if built_in:
        return _lower_first(built_in)
    # Typed by a person: keep their words and case, but not as markup.
    typed = label.strip().rstrip(".!?;:,")
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _lower_first(text: str) -> str:
    """'Public speaking' -> 'public speaking', but 'SQL tuning' stays as it is."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
