"""What a team summary may say, so that nobody can be singled out. Pure arithmetic, no database.

The rule, in one sentence: **no summary, alone or subtracted from another, tells anyone more
about a group of people than a summary of just that group would be allowed to say.**

What a summary of a group of `size` people may say about a count `c` (people who opted in,
are paused, …) is one of these *bands*, with `k` the privacy threshold:

* `c < k` → "fewer than k": the interval [0, k-1];
* `size - c < k` → "all but fewer than k": [size-k+1, size] (the complement is small, so the
  count itself would give away the few who are not counted);
* otherwise the exact count [c, c].

Both outer bands are k values wide, so they never pin anyone down. A group of fewer than
2k-1 people cannot be split into two sides that are each at least k wide, so nothing about it
is said at all (a team of 6 with 5 opted in would otherwise tell its manager who the sixth
is).

What a summary says is stored as that interval (an exact count is [c, c]). Two summaries are
combined the way a person with both in front of them would combine them: with T = C + D+
and G = C + D- (C the people in both), f(D+) - f(D-) = f(T) - f(G), and each part lies
between 0 and its size. `derived_interval` computes what that pins f(D+) down to; the
combination is safe when that interval is a union of the bands above for D+ — that is,
whenever it touches a band it contains all of it. An exact figure of the new summary that
fails against any earlier one is hidden.

Why this is sound, and where it stops:

* The earlier summary is treated as if it were taken at the same moment. Real counts drift
  between two summaries, which only makes subtraction less exact, so assuming no drift is the
  worst case: a combination that is safe without drift is safe with it.
* A change since the previous period is shown only when both periods' figures are exact, so
  the change never turns a hidden figure into a known one (4 then 7 with "+3" would reveal
  the 4).
* Each figure is checked against the same figure of every other summary (and the derived
  ones: opted in but not paused, opted in but not paired). Combinations of three or more
  summaries at once are not checked; with every pair of summaries safe, such an attack needs
  a deliberate chain of near-identical groups, which the per-pair check already makes hard.
"""

from __future__ import annotations

from dataclasses import dataclass

Interval = tuple[int, int]


def min_group(k: int) -> int:
    """The smallest group about which anything is said: 2k-1 (9 with the default threshold 5)."""
    return 2 * k - 1


@dataclass(frozen=True)
class Bands:
    size: int
    k: int

    @property
    def speakable(self) -> bool:
        return self.size >= min_group(self.k)

    @property
    def low(self) -> Interval:
        return (0, min(self.k - 1, self.size))

    @property
    def high(self) -> Interval:
        return (self.size - self.k + 1, self.size)

    def of(self, count: int) -> Interval:
        """What a summary of this group may say about `count`."""
        if not self.speakable:
            return (0, self.size)
        if count < self.k:
            return self.low
        if self.size - count < self.k:
            return self.high
        return (count, count)

    def allows(self, known: Interval) -> bool:
        """True when knowing `known` tells no more than some band would."""
        lo, hi = known
        if lo > hi:
            # The two summaries contradict each other without drift: they pin nothing down.
            return True
        if not self.speakable:
            return lo <= 0 and hi >= self.size
        for band_lo, band_hi in (self.low, self.high):
            touches = lo <= band_hi and hi >= band_lo
            if touches and not (lo <= band_lo and hi >= band_hi):
                return False
        return True


def band_of(count: int, size: int, k: int) -> Interval:
    return Bands(size, k).of(count)


def is_exact(interval: Interval) -> bool:
    return interval[0] == interval[1]


def derived_interval(new: Interval, old: Interval, *, added: int, removed: int, common: int) -> Interval:
    """What subtracting `old` (group G) from `new` (group T) says about f(T \\ G).

    `added` = |T \\ G|, `removed` = |G \\ T|, `common` = |T ∩ G|. The result may be empty
    (low > high) when the two cannot both hold without drift.
    """
    new_lo, new_hi = new
    old_lo, old_hi = old
    lo = max(0, new_lo - old_hi, new_lo - common)
    hi = min(added, new_hi - old_lo + removed, new_hi)
    return (lo, hi)


def safe_together(new: Interval, old: Interval, *, added: int, removed: int, common: int, k: int) -> bool:
    """May a summary saying `new` about T stand beside one that said `old` about G?"""
    if common == 0 or added + removed == 0:
        # Disjoint groups: each says only what its own bands allow. Same group: a change over
        # time, which is the period rule's business.
        return True
    checks = []
    if added:
        checks.append(
            Bands(added, k).allows(derived_interval(new, old, added=added, removed=removed, common=common))
        )
    if removed:
        checks.append(
            Bands(removed, k).allows(derived_interval(old, new, added=removed, removed=added, common=common))
        )
    return all(checks)


def difference(whole: Interval, part: Interval) -> Interval:
    """The interval of whole - part, for a part counted inside the whole (e.g. not paused)."""
    return (max(0, whole[0] - part[1]), max(0, whole[1] - part[0]))


def change(new: Interval, old: Interval) -> int | None:
    """The change between two periods, only when both figures were exact."""
    if is_exact(new) and is_exact(old):
        return new[0] - old[0]
    return None
