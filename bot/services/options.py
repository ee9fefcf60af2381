"""The program's built-in vocabulary: the choices people pick from in the profile form.

Values are short stable slugs (stored, compared, sent as option values); labels are what
people read. Changing a label is safe; changing a slug needs a data migration.
"""

from __future__ import annotations

from typing import NamedTuple


class Choice(NamedTuple):
    value: str
    label: str


def _choices(*labels: str) -> tuple[Choice, ...]:
    return tuple(Choice(_slug(label), label) for label in labels)


def _slug(label: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in label.lower()).strip("_").replace("__", "_")


TOPICS = _choices(
    "Public speaking",
    "Presenting to leadership",
    "Writing and documentation",
    "Storytelling with data",
    "Data analysis and SQL",
    "Data modelling",
    "Machine learning",
    "System design",
    "Code review",
    "Testing and quality",
    "Frontend development",
    "Backend development",
    "Mobile development",
    "Cloud and infrastructure",
    "Security",
    "Accessibility",
    "Product thinking",
    "User research",
    "Visual and interaction design",
    "Project management",
    "Prioritisation",
    "Time management",
    "Stakeholder management",
    "Cross-team collaboration",
    "Negotiation",
    "Conflict resolution",
    "Giving feedback",
    "Receiving feedback",
    "Running meetings",
    "Hiring and interviewing",
    "Onboarding and teaching others",
    "Mentoring others",
    "Managing up",
    "Decision making",
    "Strategy",
    "Budgeting and finance",
    "Customer conversations",
    "Sales",
    "Marketing",
    "Remote and hybrid work",
    "Work-life balance",
    "Career planning",
)

CAREER_GOALS = _choices(
    "Grow as an individual contributor",
    "Move into people management",
    "Lead bigger projects",
    "Prepare for a promotion",
    "Change role or function",
    "Learn a new domain",
    "Build visibility and influence",
    "Become a better mentor",
    "Find a sustainable pace",
)

# Ordered: the position is the level's rank, used to measure level gaps in matching.
EXPERIENCE_LEVELS = (
    Choice("early", "Early career (0–2 years)"),
    Choice("mid", "Mid-level (3–5 years)"),
    Choice("senior", "Senior (6–10 years)"),
    Choice("lead", "Lead / principal (10+ years)"),
)

FUNCTIONS = _choices(
    "Engineering",
    "Data",
    "Product",
    "Design",
    "Research",
    "Marketing",
    "Sales",
    "Customer success and support",
    "Operations",
    "Finance",
    "People and HR",
    "Legal",
    "Other",
)

MEETING_WAYS = (
    Choice("dm", "Messages (DM)"),
    Choice("video", "Video call"),
    Choice("in_person", "In person"),
)

FREQUENCIES = (
    Choice("weekly", "Every week"),
    Choice("biweekly", "Every two weeks"),
    Choice("monthly", "Every month"),
)

# Limits of the profile form, enforced on the server and mirrored in the modal.
MAX_TOPICS = 5
MAX_EXTRA_TOPICS = 5
MAX_TOPIC_LENGTH = 40
MAX_EXTRA_TOPICS_TEXT = 200
MAX_TEAM_NAME = 80
MAX_BACKGROUND = 300
MAX_PAUSE_WEEKS = 26


def label_of(choices: tuple[Choice, ...], value: str) -> str:
    for choice in choices:
        if choice.value == value:
            return choice.label
    return value


def value_of_label(choices: tuple[Choice, ...], label: str) -> str | None:
    for choice in choices:
        if choice.label.casefold() == label.casefold():
            return choice.value
    return None


def values(choices: tuple[Choice, ...]) -> frozenset[str]:
    return frozenset(choice.value for choice in choices)


def level_rank(level: str) -> int:
    return [choice.value for choice in EXPERIENCE_LEVELS].index(level)


def topic_key(label: str) -> str:
    """Compare topics by their letters and digits only: “Public speaking” == “public-speaking”."""
    return "".join(c for c in label.casefold() if c.isalnum())


def canonical_label(choices: tuple[Choice, ...], text: str) -> str:
    """A typed topic that names a built-in one takes the built-in label."""
    key = topic_key(text)
    for choice in choices:
        if topic_key(choice.label) == key:
            return choice.label
    return text
