"""Conversation starters: a broad library, and a choice that never touches off-limits topics."""

from __future__ import annotations

import pytest

from bot.services.starters import (
    STARTERS,
    allowed_starters,
    choose_starter,
    parse_off_limits,
    stem,
    touches,
)


def test_the_library_is_broad():
    assert len(STARTERS) >= 40
    themes = {t for s in STARTERS for t in s.themes}
    assert {"growth", "career", "feedback", "challenges", "politics", "manager", "goals"} <= themes
    assert len({s.text for s in STARTERS}) == len(STARTERS)  # no repeats
    assert all(len(s.text) < 200 for s in STARTERS)


@pytest.mark.parametrize(
    ("off_limits", "banned_words"),
    [
        ("my manager", ("manager",)),
        ("Boss / reporting lines", ("manager",)),
        ("salary, money", ()),
        ("Office politics; promotions", ("politic", "promotion", "decisions really get made", "visible")),
        ("family stuff and health", ("switch off",)),
        ("FEEDBACK", ("feedback",)),
        ("career plans, goals", ("career", "goal", "promotion")),
        ("Conflict with colleagues", ("conflict", "disagreement")),
        ("work-life balance", ("sustainable pace", "switch off")),
    ],
)
def test_a_chosen_starter_never_touches_the_pairs_off_limits_topics(off_limits, banned_words):
    parsed = parse_off_limits(off_limits)
    for pair_id in range(1, 6):
        for number in range(1, 60):
            starter = choose_starter(off_limits=off_limits, pair_id=pair_id, number=number)
            assert starter is not None
            assert not touches(starter, parsed)
            assert not starter.themes & parsed.themes
            for word in banned_words:
                assert word not in starter.text.casefold(), (off_limits, starter.text)


def test_off_limits_match_by_theme_not_only_by_word():
    # Nothing in "pay" appears in any starter's words, but the theme does the work:
    # "compensation" must rule out the starter about a promotion's next step? No: pay and
    # promotion are different themes. It must rule out anything tagged "pay" and nothing else.
    parsed = parse_off_limits("compensation")
    assert "pay" in parsed.themes and "promotion" not in parsed.themes
    # "my boss" keeps away every starter about managers, though none says "boss".
    boss = parse_off_limits("my boss")
    assert "manager" in boss.themes
    assert not any("manager" in s.text.casefold() for s in allowed_starters("my boss"))


def test_case_accents_plurals_and_punctuation_do_not_matter():
    assert parse_off_limits("Promotions!").themes == parse_off_limits("promotion").themes
    assert "politics" in parse_off_limits("POLÍTICS").themes
    assert stem("promotions") == stem("promotion")
    assert stem("politics")[:5] == "polit"


def test_everything_off_limits_means_no_starter_rather_than_a_bad_one():
    everything = (
        "growth, career, feedback, challenges, politics, manager, goals, wellbeing, personal, learning, "
        "leadership, change, team, pairing, productivity, communication, recognition, conflict, influence, "
        "mentoring, promotion, work, day, time, thing"
    )
    remaining = allowed_starters(everything)
    assert choose_starter(off_limits=everything, pair_id=1, number=1) == (
        remaining[1 % len(remaining)] if remaining else None
    )
    if remaining:
        parsed = parse_off_limits(everything)
        assert not any(touches(s, parsed) for s in remaining)


def test_no_off_limits_uses_the_whole_library_and_walks_it_without_repeats():
    seen = [choose_starter(off_limits="", pair_id=7, number=n) for n in range(1, len(STARTERS) + 1)]
    assert len({s.text for s in seen if s}) == len(STARTERS)
    # The same pair and check-in always get the same starter (a re-sent message is identical).
    assert choose_starter(off_limits="", pair_id=7, number=3) == seen[2]
