"""The "why you were matched" text, in a few plain sentences drawn only from a pair's stored reasons.

Every clause comes from one reason the score counted, so the text never claims what the
matcher did not see (no reciprocity that isn't there, no "different teams" for teammates).
People are named by Slack mention, which Slack renders as their name.
"""

from __future__ import annotations

from collections.abc import Sequence

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
# Enough to say why without reading out whole profiles (the intro lists them).
_TOPICS_NAMED = 2
# Below this many shared working hours, the caveat says to prefer messages over calls.
_HOURS_FOR_A_CALL = 1


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def explain(reasons: Sequence[Reason]) -> str:
    """Two or three short sentences for a pair; a trio gets one more about its third person."""
    groups: dict[tuple[str, str], list[Reason]] = {}
    for reason in reasons:
        groups.setdefault(reason.users, []).append(reason)
    if not groups:
        return "You were the best available match for each other this round."
    (pair, pair_reasons), *third_groups = groups.items()
    sentences = _pair_sentences(pair_reasons)
    if third_groups:
        third = next(user for user in third_groups[0][0] if user not in pair)
        sentences.append(_third_sentence(third, [r for _, rs in third_groups for r in rs]))
    return " ".join(sentences)


def _pair_sentences(reasons: list[Reason]) -> list[str]:
    by_code = {reason.code: reason for reason in reasons}
    sentences = []
    common = _common_ground(by_code)
    if common:
        sentences.append(f"You {_and(common)}.")
    teaching = _teaching(reasons, by_code)
    if teaching:
        sentences.append(teaching)
    fresh = _fresh_angles(by_code)
    if fresh:
        sentences.append(fresh)
    return sentences or ["You were the best available match for each other this round."]


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


def _teaching(reasons: list[Reason], by_code: dict[ReasonCode, Reason]) -> str | None:
    teaches = [reason for reason in reasons if reason.code == ReasonCode.TEACHES]
    if teaches:
        first = teaches[0].data
        teacher, learner = mention(first["teacher"]), mention(first["learner"])
        sentence = f"{teacher} can help with {_topics(first['topics'])}, which {learner} wants to grow"
        if len(teaches) > 1:
            back = teaches[1].data["topics"]
            verb = "is" if len(back[:_TOPICS_NAMED]) == 1 else "are"
            sentence += f", and {learner}'s {_topics(back)} {verb} on {teacher}'s list"
        return sentence + "."
    if expertise := by_code.get(ReasonCode.SHARED_EXPERTISE):
        return f"You can both share {_topics(expertise.data['topics'])}, so compare notes."
    return None


def _fresh_angles(by_code: dict[ReasonCode, Reason]) -> str | None:
    different = []
    if ReasonCode.DIFFERENT_TEAMS in by_code:
        different.append("work in different teams")
    if ReasonCode.DIFFERENT_BACKGROUNDS in by_code:
        different.append("come from different backgrounds")
    parts = [f"You {_and(different)}, so expect fresh angles"] if different else []
    if hours := by_code.get(ReasonCode.FEW_SHARED_HOURS):
        shared = float(hours.data["hours"])
        if shared >= _HOURS_FOR_A_CALL:
            about = f"{shared:g} hour" + ("" if shared == 1 else "s")
            parts.append(
                f"your working hours overlap by only about {about}, so pick a time that suits you both"
            )
        else:
            parts.append("your working hours barely overlap, so messages may suit you better than calls")
    if not parts:
        return None
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def _third_sentence(third: str, reasons: list[Reason]) -> str:
    who = mention(third)
    for reason in reasons:
        if reason.code != ReasonCode.TEACHES:
            continue
        topics = _topics(reason.data["topics"])
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


def _topics(labels: Sequence[str]) -> str:
    return _and([_topic_text(label) for label in labels[:_TOPICS_NAMED]])


def _topic_text(label: str) -> str:
    built_in = _BUILT_IN_TOPICS.get(topic_key(label))
    if built_in:
        return _lower_first(built_in)
    return label.strip().rstrip(".!?;:,")  # typed by a person: keep their words and case


def _lower_first(text: str) -> str:
    """'Public speaking' -> 'public speaking', but 'SQL tuning' stays as it is."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
