"""What each figure of a summary may say, given the counts, the threshold and earlier summaries.

The threshold, complements and subtraction rules themselves are bot/services/disclosure.py;
this module applies them to a summary's four figures (and the two anyone could derive).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.services import disclosure
from bot.services.disclosure import Bands, Interval
from bot.services.summaries.counts import Counts
from bot.services.summaries.fingerprints import Group
from bot.services.summaries.snapshots import Snapshot

OPTED_IN, PAUSED, IN_PAIR, PAIRS_MET = "opted_in", "paused", "in_pair", "pairs_met"
FIGURES = (OPTED_IN, PAUSED, IN_PAIR, PAIRS_MET)
# Figures nobody sees but anyone can work out (opted in minus paused, minus paired): they are
# stored and checked like the others.
NOT_PAUSED, UNPAIRED = "not_paused", "unpaired"
DERIVED = {NOT_PAUSED: PAUSED, UNPAIRED: IN_PAIR}

FigureKind = Literal["exact", "fewer_than", "all_but", "hidden"]
HiddenReason = Literal["small_team", "small_parent", "overlap"]


@dataclass(frozen=True)
class Figure:
    kind: FigureKind
    low: int
    high: int
    # Change since the previous period, only when both periods' figures are exact.
    change: int | None = None
    hidden_because: HiddenReason | None = None
    # For a percentage: the count the figure is out of, when that is itself published exactly.
    out_of: int | None = None

    @property
    def value(self) -> int | None:
        return self.low if self.kind == "exact" else None

    @property
    def interval(self) -> Interval:
        return (self.low, self.high)


def figures(counts: Counts, k: int, forced_hidden: set[str]) -> dict[str, Figure]:
    n = counts.size
    if n < disclosure.min_group(k):
        hidden = Figure("hidden", 0, n, hidden_because="small_team")
        result = dict.fromkeys(FIGURES, hidden)
    else:
        result = {}
        result[OPTED_IN] = _banded(counts.opted_in, Bands(n, k), OPTED_IN in forced_hidden, total=n)
        opted = result[OPTED_IN]
        for name, count in ((PAUSED, counts.paused), (IN_PAIR, counts.in_pair)):
            if name in forced_hidden:
                result[name] = Figure("hidden", 0, n, hidden_because="overlap")
            elif opted.kind == "exact":
                result[name] = _banded(count, Bands(opted.low, k), False, total=n, out_of=opted.low)
            else:
                # Without an exact opted-in count the figure is banded against the whole team:
                # what it leaves (opted in but not counted here) is then a range k wide, like
                # any band, and the checks against earlier summaries still apply.
                result[name] = _banded(count, Bands(n, k), False, total=n)
        result[PAIRS_MET] = _banded(
            counts.pairs_met, Bands(counts.pairs_in_window, k), PAIRS_MET in forced_hidden, total=n
        )
    for derived, base in DERIVED.items():
        low, high = disclosure.difference(result[OPTED_IN].interval, result[base].interval)
        result[derived] = Figure("hidden", low, high)
    return result


def _banded(count: int, bands: Bands, hide: bool, *, total: int, out_of: int | None = None) -> Figure:
    if hide:
        return Figure("hidden", 0, total, hidden_because="overlap")
    if not bands.speakable:
        return Figure("hidden", 0, total, hidden_because="small_parent")
    low, high = bands.of(count)
    if low == high:
        return Figure("exact", low, high, out_of=out_of)
    if low == 0:
        return Figure("fewer_than", low, high)
    return Figure("all_but", low, high, out_of=out_of)


def figures_checked(counts: Counts, k: int, group: Group, history: list[Snapshot]) -> dict[str, Figure]:
    """The figures, with every one hidden that subtraction from an earlier summary would expose."""
    hidden: set[str] = set()
    overlaps = [
        (snap, len(group.fingerprints & snap.fingerprints))
        for snap in history
        if snap.digest != group.digest and not group.fingerprints.isdisjoint(snap.fingerprints)
    ]
    while True:
        result = figures(counts, k, hidden)
        failing: set[str] = set()
        for snap, common in overlaps:
            added = len(group.fingerprints) - common
            removed = len(snap.fingerprints) - common
            for name, figure in result.items():
                old = snap.figures.get(name)
                if old is not None and not disclosure.safe_together(
                    figure.interval, old, added=added, removed=removed, common=common, k=k
                ):
                    failing.add(DERIVED.get(name, name))
        # A hidden figure says nothing new; hiding only ever grows, so this ends.
        failing -= hidden
        if not failing:
            return result
        hidden |= failing


def has_overlap_hiding(result: dict[str, Figure]) -> bool:
    return any(f.hidden_because == "overlap" for name, f in result.items() if name in FIGURES)


def with_change(figure: Figure, old: list[int] | None) -> Figure:
    if old is None or figure.kind != "exact":
        return figure
    delta = disclosure.change(figure.interval, (old[0], old[1]))
    if delta is None:
        return figure
    return Figure(figure.kind, figure.low, figure.high, delta, figure.hidden_because, figure.out_of)


def suggested_action(result: dict[str, Figure], *, size: int, too_small: bool) -> str:
    """One thing a manager could do, chosen from what the summary shows (never what it hides)."""
    if too_small:
        return "small_team"
    opted, paused, paired, met = (result[name] for name in FIGURES)
    if opted.kind == "fewer_than" or (opted.value is not None and opted.value * 3 < size):
        return "lead_by_example"
    if paired.value is not None and met.value is not None and met.value * 4 < paired.value:
        return "protect_time"
    if met.kind == "fewer_than" and paired.kind in ("exact", "all_but") and paired.low >= 10:
        return "protect_time"
    if paused.value is not None and opted.value and paused.value * 4 >= opted.value:
        return "check_workload"
    return "build_trust"
