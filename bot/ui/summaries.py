"""The team summary a manager posts in a channel, and the line that tells people what managers see."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from bot.services import disclosure
from bot.services.summaries import IN_PAIR, OPTED_IN, PAIRS_MET, PAUSED, Figure, Scope, TeamSummary
from bot.ui.kit import Blocks, context, section, slack_date, to_dicts

ACTIONS = {
    "lead_by_example": (
        "Lead by example: mention peer mentoring at your next team meeting, and think about "
        "joining yourself. People follow what their manager does, not what they are told."
    ),
    "protect_time": (
        "Make room for it: say out loud that a peer-mentoring chat is a good use of work time, "
        "and protect it in busy weeks."
    ),
    "check_workload": (
        "Quite a few people have paused. Ask the team about workload in general, never about who takes part."
    ),
    "build_trust": (
        "Build trust by staying out of it: ask how peer mentoring is going in general, never who "
        "is paired or what they talk about."
    ),
    "small_team": (
        "Encourage people to join on their own terms; team figures appear once a team is big "
        "enough that no count can point to anyone."
    ),
}

LABELS = {
    OPTED_IN: "Opted in",
    PAUSED: "Paused",
    IN_PAIR: "In an active pair",
    PAIRS_MET: "Pairs that met in the last 30 days",
}


def managers_can_see(threshold: int = 5) -> str:
    """One line for `status`: exactly what a manager's summary can show about a person."""
    return (
        ":lock: What managers can see about you: nothing personal. Team summaries show only totals "
        "(how many opted in, are paused, are paired, met recently), never your name, your peer, "
        f"your ground rules or your feedback, and any count under {threshold} shows as "
        f"“fewer than {threshold}”."
    )


def scope_mention(scope: Scope) -> str:
    return f"<#{scope.id}>" if scope.kind == "channel" else f"<!subteam^{scope.id}>"


def summary_message(summary: TeamSummary) -> tuple[str, Blocks]:
    where = scope_mention(summary.scope)
    k = summary.threshold
    text = f"Peer mentoring in {where}: team totals"
    blocks: list[Block] = [section(f":bar_chart: *Peer mentoring in {where}*")]
    size_line = f"*Team size*\n{summary.team_size} {_people(summary.team_size)}"
    notes = []
    if summary.too_small:
        blocks.append(
            section(
                f"{size_line}\n\nThis team is too small for figures: they appear for teams of "
                f"{disclosure.min_group(k)} or more, so that no count, and nothing left when you "
                f"subtract it from the team, is ever under {k}."
            )
        )
    else:
        fields = [size_line] + [
            f"*{LABELS[name]}*\n{_figure_text(name, summary.figures[name], summary)}"
            for name in (OPTED_IN, PAUSED, IN_PAIR, PAIRS_MET)
        ]
        blocks.append(SectionBlock(fields=[MarkdownTextObject(text=f) for f in fields]))
        notes += _why_hidden(summary)
    blocks.append(section(f":bulb: {ACTIONS[summary.action]}"))
    if summary.counted_as_of is not None:
        notes.append(
            f"Counted over the {summary.counted_size} people who were here on "
            f"{slack_date(summary.counted_as_of)}: the membership has changed by only a few people "
            "since, and counting them now could single them out. They are counted once it can't."
        )
    if summary.previous_at is not None and not summary.too_small:
        notes.append(f"Changes are since the summary of {slack_date(summary.previous_at)}.")
    notes.append(
        "Totals only: never names, pairs, ground rules, feedback or notes. Counts under "
        f"{k} show as “fewer than {k}”, and a figure is left out when comparing it with another "
        "summary could single someone out."
    )
    blocks.append(context(*notes))
    return text, to_dicts(blocks)


def _figure_text(name: str, figure: Figure, summary: TeamSummary) -> str:
    """A figure as a manager reads it: a count out of something, with a rounded percentage
    (a range of percentages for a band), and the change since the last summary when safe."""
    k = summary.threshold
    team = summary.counted_size
    if figure.kind == "hidden":
        return "not shown (see below)"
    if name == PAIRS_MET:
        whole, of_whom = None, ""
    elif figure.out_of is not None:
        whole, of_whom = figure.out_of, f" of the {figure.out_of} who opted in"
    else:
        whole, of_whom = team, f" of {team}"
    if figure.kind == "fewer_than":
        line = f"fewer than {k}{of_whom}"
        if whole:
            line += f" ({_percent(figure.high, whole)} or less)"
        return line
    if figure.kind == "all_but":
        line = f"at least {figure.low}{of_whom}"
        if whole:
            line += f" ({_percent(figure.low, whole)} or more)"
        return line
    line = f"{figure.low}{of_whom}"
    if whole:
        line += f" ({_percent(figure.low, whole)})"
    if figure.change is not None:
        line += f", {_change(figure.change)}"
    return line


def _why_hidden(summary: TeamSummary) -> list[str]:
    """A plain sentence for each reason a figure is left out, naming the figures."""
    k = summary.threshold
    reasons: dict[str, list[str]] = {}
    for name in (OPTED_IN, PAUSED, IN_PAIR, PAIRS_MET):
        figure = summary.figures[name]
        if figure.kind == "hidden" and figure.hidden_because:
            reasons.setdefault(figure.hidden_because, []).append(f"“{LABELS[name]}”")
    sentences = []
    if "overlap" in reasons:
        sentences.append(
            f"{_listed(reasons['overlap'])} {_is_are(reasons['overlap'])} not shown: this team shares "
            "most of its members with another summary's, and comparing the two figures could point "
            "to the few people who differ."
        )
    if "small_parent" in reasons:
        sentences.append(
            f"{_listed(reasons['small_parent'])} {_is_are(reasons['small_parent'])} not shown: "
            f"{_is_are(reasons['small_parent'], 'it is', 'they are')} counted within a smaller group "
            f"(those who opted in, or the pairs active in the last 30 days), and a group under "
            f"{disclosure.min_group(k)} is too small to count safely."
        )
    return sentences


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _is_are(names: list[str], one: str = "is", many: str = "are") -> str:
    return one if len(names) == 1 else many


def _percent(part: int, whole: int) -> str:
    return f"{int(100 * part / whole + 0.5)}%"  # halves round up, as people expect


def _change(delta: int) -> str:
    if delta == 0:
        return "no change"
    return f"{'up' if delta > 0 else 'down'} {abs(delta)}"


def _people(n: int) -> str:
    return "person" if n == 1 else "people"


def refused_summary_scope() -> str:
    return (
        "Type `/peer-mentor summary` in your team's channel to post its totals there, or name a "
        "user group: `/peer-mentor summary @design-team`."
    )


def bot_not_in_channel() -> str:
    return (
        "I can't see this channel's members yet. Invite me first with `/invite @Peer Mentor`, then try again."
    )


def reading_members(args: str) -> str:
    """The acknowledgement while the members are read: it promises nothing that reading them
    could still turn out untrue (a user group that isn't there, a channel the app isn't in)."""
    if args.strip():
        return ":mag: Looking up that user group… if I find it, its totals will appear in this channel in a moment."
    return ":hourglass_flowing_sand: Reading this channel's members… the team's totals will appear here in a moment."
