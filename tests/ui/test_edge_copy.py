"""Edge copy that must stay true: the rematch confirm, an already-ended rematch, export plurals."""

from bot.emulator.blockkit import problems
from bot.emulator.driver import texts
from bot.ui import matching, privacy


def test_the_rematch_confirm_says_never_with_this_same_peer_again():
    text, blocks = matching.confirm_rematch(("U2",))
    words = texts(blocks)
    assert "You'll never be paired with <@U2> again" in words
    assert "You'll never be paired again." not in words
    assert problems("message", {"text": text, "blocks": blocks}) == []


def test_an_already_ended_rematch_promises_no_round():
    assert "next round" not in matching.rematched_text(())


def test_the_export_counts_one_version_in_the_singular():
    export = {"ground_rules": [{"you_agreed": True}]}
    _, blocks = privacy.export_message(export)
    assert "1 version in your pairings" in texts(blocks) and "1 versions" not in texts(blocks)
