"""Conversation starters for check-ins, and choosing one that respects a pair's off-limits topics.

Each starter has themes (pay, manager, politics, …). A pair's off-limits text is free text
("salary, my boss; family stuff"), so matching is deliberately generous — a starter is left
out when any of these hold:

1. **Themes.** Each off-limits word is looked up in `THEME_WORDS` (synonyms people actually
   write: "salary", "money", "raise" → pay; "boss", "reporting line" → manager; …). A starter
   with that theme is out, whatever words it happens to use.
2. **Words.** Every word of the off-limits text that is not a filler word ("my", "and",
   "stuff", …) is reduced to a crude stem ("promotions" → "promot", "politics" → "polit")
   and compared with the stems of the starter's own words and theme names: a match on the
   stem, or one stem starting with the other (four letters or more), leaves the starter out.
3. **Phrases.** The whole off-limits text, split at commas, semicolons, "and"/"or" and new
   lines, is compared the same way, so "office politics" or "work-life balance" is caught as
   a phrase too.

Case, accents and punctuation never matter. When in doubt a starter is left out: a missing
starter costs nothing, a starter about someone's off-limits topic costs trust. If every
starter is excluded the check-in simply carries none.

The choice is deterministic for a pair and check-in number (a re-sent message shows the
same starter) and walks through the allowed starters so a pair does not see a repeat until
it has seen them all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Starter:
    text: str
    themes: frozenset[str]


def _s(text: str, *themes: str) -> Starter:
    return Starter(text, frozenset(themes))


# Themes: growth, career, promotion, feedback, challenges, politics, manager, goals, pay,
# wellbeing, conflict, learning, leadership, communication, personal, recognition, change.
STARTERS: tuple[Starter, ...] = (
    # Growth and career
    _s("What's one skill you'd like to be noticeably better at six months from now?", "growth", "learning"),
    _s("Which part of your work gives you the most energy at the moment, and why?", "growth"),
    _s("Where do you see your career heading in the next two years?", "career", "goals"),
    _s("What's a role or job you've seen someone else do that you're curious about?", "career"),
    _s("What would a promotion, or the next step up, look like for you?", "career", "promotion"),
    _s("What's something you learned the hard way that you wish you'd known earlier?", "growth", "learning"),
    _s("Who has shaped the way you work the most, and what did they do?", "growth"),
    _s("What's a book, talk or course that changed how you think about your work?", "learning"),
    # Giving and receiving feedback
    _s("What's the most useful piece of feedback you've ever received?", "feedback"),
    _s("How do you like to receive feedback: in writing, in person, straight away or later?", "feedback"),
    _s("Is there feedback you've been meaning to give someone? How could you say it kindly?", "feedback"),
    _s("What's one thing you'd like your peer to watch for and tell you about?", "feedback"),
    _s("When did feedback land badly for you, and what would have made it land well?", "feedback"),
    _s("How do you ask for feedback without it sounding like fishing for praise?", "feedback"),
    # Challenges
    _s("What's the trickiest problem on your plate this week?", "challenges"),
    _s("Talk through a decision you're weighing up at the moment.", "challenges"),
    _s("What's something that didn't go to plan lately, and what did you take from it?", "challenges"),
    _s("Where are you stuck, and who might help you get unstuck?", "challenges"),
    _s("What's a risk you're glad you took?", "challenges", "growth"),
    _s("What's something you keep putting off? What makes it hard to start?", "challenges"),
    # Office politics and reporting lines
    _s("How do decisions really get made in your part of the company?", "politics"),
    _s("Who do you need on your side to get your current project done?", "politics", "influence"),
    _s("How do you and your manager work best together?", "manager"),
    _s("What do you wish your manager knew about how you work?", "manager"),
    _s("How do you handle two senior people asking you for conflicting things?", "politics", "conflict"),
    _s(
        "How do you make your work visible without feeling like you're showing off?",
        "politics",
        "recognition",
    ),
    _s("Is there a disagreement at work you're not sure how to handle?", "conflict"),
    # Goals
    _s("What's one goal for this month, and what's the first small step?", "goals"),
    _s("Looking back at the last quarter, what are you proudest of?", "goals", "recognition"),
    _s("Which of your goals feels furthest away, and what would move it closer?", "goals"),
    _s("If you could only achieve one thing at work this year, what would it be?", "goals"),
    _s("How will you know the time you spend on this pairing has been worth it?", "goals"),
    # Ways of working and communication
    _s("How do you protect time for deep work?", "productivity"),
    _s("What's a meeting you'd cancel if you could? What would replace it?", "productivity"),
    _s("How do you prepare for an important conversation or presentation?", "communication"),
    _s("What's a habit or tool that saves you time every week?", "productivity"),
    _s("How do you explain your work to someone outside your field?", "communication"),
    _s("What does a good day at work look like for you?", "wellbeing"),
    # Wellbeing and balance
    _s("How are you keeping a sustainable pace at the moment?", "wellbeing"),
    _s("What helps you switch off at the end of the working day?", "wellbeing", "personal"),
    _s("When do you feel most confident at work, and when least?", "wellbeing", "growth"),
    # Leadership and change
    _s("What does good leadership look like to you, whether or not you manage people?", "leadership"),
    _s("How are you helping someone newer than you find their feet?", "leadership", "mentoring"),
    _s("What change at work are you adjusting to right now?", "change"),
    _s("What's something about how your team works that you'd like to change?", "change", "team"),
    _s("Which of your strengths do you think your team underuses?", "growth", "team"),
    # About this pairing
    _s("What's one thing you've learned from each other so far?", "pairing"),
    _s("What would you like to get out of the next few conversations?", "pairing", "goals"),
)

# Words people write in "off-limits" → the themes they mean. Matched on stems, so plurals and
# -ing forms count too ("promotions", "politicking").
# fmt: off
THEME_WORDS: dict[str, tuple[str, ...]] = {
    "pay": ("pay", "salary", "salaries", "money", "compensation", "comp", "raise", "bonus", "wage",
            "equity", "stock", "finances", "income", "payrise"),
    "promotion": ("promotion", "promote", "level", "levelling", "leveling", "title", "grade", "progression"),
    "career": ("career", "job hunt", "job search", "leaving", "quit", "resign", "interviewing", "next job"),
    "manager": ("manager", "boss", "line manager", "reporting line", "reporting lines", "reports to",
                "supervisor", "lead", "skip level", "management"),
    "politics": ("politics", "political", "office politics", "power", "influence", "gossip", "reorg"),
    "influence": ("influence", "stakeholder", "stakeholders"),
    "conflict": ("conflict", "disagreement", "argument", "dispute", "fight", "tension"),
    "wellbeing": ("health", "mental health", "stress", "burnout", "anxiety", "wellbeing", "well-being",
                  "illness", "sick", "therapy", "pace", "balance", "work-life", "hours", "overtime"),
    "personal": ("personal", "personal life", "family", "kids", "children", "partner", "relationship",
                 "relationships", "home", "private life", "religion", "dating", "divorce", "marriage",
                 "wedding", "pregnancy", "baby", "parenting", "bereavement", "grief", "faith"),
    "feedback": ("feedback", "criticism", "critique", "review", "performance review", "appraisal"),
    "goals": ("goal", "goals", "okr", "okrs", "targets", "objectives", "ambition"),
    "recognition": ("recognition", "credit", "praise", "visibility"),
    "team": ("team", "teammates", "colleagues", "coworkers"),
    "change": ("change", "reorg", "restructure", "restructuring", "layoffs", "redundancy"),
    "leadership": ("leadership", "leading", "leader"),
    "challenges": ("challenge", "challenges", "problems", "struggles", "failure", "mistakes"),
    "growth": ("growth", "development", "weaknesses", "strengths"),
}
# fmt: on

# fmt: off
FILLER = frozenset({
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "with", "about", "my",
    "our", "their", "his", "her", "your", "me", "we", "us", "i", "you", "it", "its", "this",
    "that", "these", "those", "any", "anything", "all", "stuff", "things", "thing", "topics",
    "topic", "talk", "talking", "discuss", "discussing", "please", "no", "not", "dont", "don't",
    "avoid", "nothing", "just", "etc", "e.g", "eg", "like", "really", "work", "from", "is",
    "are", "be", "being", "other", "others",
})
# fmt: on
_SPLIT = re.compile(r"[,;/\n]+|\band\b|\bor\b|&|\+")
_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = (
    "ations",
    "ation",
    "ings",
    "ing",
    "ness",
    "ments",
    "ment",
    "ities",
    "ity",
    "ies",
    "ics",
    "ic",
    "es",
    "ed",
    "s",
    "al",
)


def _fold(text: str) -> str:
    """Lower case, accents off: “Salário” → "salario"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """A crude, predictable stem: good enough to make plurals and -ing forms meet."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _stems(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(_fold(text)) if w not in FILLER]


def _related(a: str, b: str) -> bool:
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= 4 and longer.startswith(shorter)


@dataclass(frozen=True)
class OffLimits:
    """A pair's off-limits text, parsed once: themes it names and the word stems it uses."""

    themes: frozenset[str]
    stems: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]

    @property
    def empty(self) -> bool:
        return not (self.themes or self.stems)


@lru_cache(maxsize=1024)
def parse_off_limits(text: str) -> OffLimits:
    phrases = tuple(p for p in (tuple(_stems(part)) for part in _SPLIT.split(_fold(text))) if p)
    stems = tuple(dict.fromkeys(s for phrase in phrases for s in phrase))
    themes: set[str] = set()
    for theme, words in THEME_WORDS.items():
        for word in words:
            word_stems = tuple(_stems(word))
            if not word_stems:
                continue
            if len(word_stems) == 1:
                if any(_related(word_stems[0], s) for s in stems):
                    themes.add(theme)
            elif any(_contains(phrase, word_stems) for phrase in phrases):
                themes.add(theme)
    return OffLimits(frozenset(themes), stems, phrases)


def _contains(phrase: tuple[str, ...], words: tuple[str, ...]) -> bool:
    n = len(words)
    return any(
        all(_related(a, b) for a, b in zip(phrase[i : i + n], words, strict=True))
        for i in range(len(phrase) - n + 1)
    )


def touches(starter: Starter, off_limits: OffLimits) -> bool:
    """Whether the starter comes anywhere near the off-limits topics (see the module doc)."""
    if starter.themes & off_limits.themes:
        return True
    own = tuple(_stems(starter.text)) + tuple(stem(t) for t in starter.themes)
    if any(_related(mine, theirs) for mine in own for theirs in off_limits.stems):
        return True
    return any(_contains(own, phrase) for phrase in off_limits.phrases if len(phrase) > 1)


def allowed_starters(off_limits_text: str) -> list[Starter]:
    off_limits = parse_off_limits(off_limits_text or "")
    if off_limits.empty:
        return list(STARTERS)
    return [s for s in STARTERS if not touches(s, off_limits)]


def choose_starter(*, off_limits: str, pair_id: int, number: int) -> Starter | None:
    """The starter for this pair's check-in `number`; None when every starter is off limits."""
    allowed = allowed_starters(off_limits)
    if not allowed:
        return None
    # A fixed per-pair offset spreads pairs over the library; consecutive check-ins walk it.
    offset = (pair_id * 7919) % len(allowed)
    return allowed[(offset + number) % len(allowed)]
