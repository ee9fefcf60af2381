"""The arithmetic of what a summary may say, checked by brute force on small groups."""

from __future__ import annotations

import itertools

import pytest

from bot.services.disclosure import Bands, band_of, change, derived_interval, min_group, safe_together


def test_bands_for_the_default_threshold():
    assert min_group(5) == 9
    assert band_of(3, 20, 5) == (0, 4)  # fewer than 5
    assert band_of(0, 20, 5) == (0, 4)  # nobody is a count under the threshold too
    assert band_of(12, 20, 5) == (12, 12)
    assert band_of(16, 20, 5) == (16, 20)  # all but fewer than 5
    assert band_of(20, 20, 5) == (16, 20)
    assert band_of(4, 8, 5) == (0, 8)  # too small a group: nothing at all
    assert band_of(5, 9, 5) == (5, 9)


@pytest.mark.parametrize("k", [3, 5])
@pytest.mark.parametrize("size", range(1, 16))
def test_every_band_leaves_at_least_k_possibilities_on_both_sides(size, k):
    for count in range(size + 1):
        low, high = band_of(count, size, k)
        assert low <= count <= high
        if low != high:
            # A band never narrows a count, or what is left of the group, to fewer than k values.
            assert high - low + 1 >= min(k, size + 1)
        else:
            assert k <= count <= size - k


def test_a_and_a_plus_one_person_would_expose_that_person():
    # 40 people, 26 opted in; the same 40 and one more, 27: the newcomer opted in.
    assert derived_interval((27, 27), (26, 26), added=1, removed=0, common=40) == (1, 1)
    assert not safe_together((27, 27), (26, 26), added=1, removed=0, common=40, k=5)
    assert not safe_together((26, 26), (26, 26), added=1, removed=0, common=40, k=5)
    # Either way round: one person fewer.
    assert not safe_together((25, 25), (26, 26), added=0, removed=1, common=39, k=5)
    # "Fewer than 5" both times says nothing about the newcomer.
    assert safe_together((0, 4), (0, 4), added=1, removed=0, common=40, k=5)


def test_a_large_enough_mixed_difference_is_allowed_but_an_all_or_nothing_one_is_not():
    # Ten newcomers of whom 5 opted in: a count a summary of those ten could show.
    assert safe_together((31, 31), (26, 26), added=10, removed=0, common=40, k=5)
    # Ten newcomers and none (or all) opted in: each one's choice would be known.
    assert not safe_together((26, 26), (26, 26), added=10, removed=0, common=40, k=5)
    assert not safe_together((36, 36), (26, 26), added=10, removed=0, common=40, k=5)


def test_disjoint_and_identical_groups_are_left_to_their_own_rules():
    assert safe_together((7, 7), (30, 30), added=20, removed=40, common=0, k=5)
    assert safe_together((7, 7), (6, 6), added=0, removed=0, common=20, k=5)


@pytest.mark.parametrize("k", [3, 4])
def test_whenever_two_summaries_may_stand_together_the_newcomers_stay_hidden(k):
    """Brute force over small teams: T = C + D+ and G = C + D-, each summarised with the bands
    rule. Whenever `safe_together` allows the pair, every value of f(D+) that an observer with
    both summaries cannot rule out comes with its whole band, i.e. they learn no more about the
    people in D+ than a summary of just them would say."""
    checked = 0
    for common, added, removed in itertools.product(range(0, 9), range(1, 5), range(0, 3)):
        t_size, g_size = common + added, common + removed
        for x_c, x_a, x_r in itertools.product(range(common + 1), range(added + 1), range(removed + 1)):
            new = band_of(x_c + x_a, t_size, k)
            old = band_of(x_c + x_r, g_size, k)
            if not safe_together(new, old, added=added, removed=removed, common=common, k=k):
                continue
            possible = {
                a
                for c, a, r in itertools.product(range(common + 1), range(added + 1), range(removed + 1))
                if new[0] <= c + a <= new[1] and old[0] <= c + r <= old[1]
            }
            bands = Bands(added, k)
            for a in possible:
                low, high = bands.of(a)
                assert set(range(low, high + 1)) <= possible, (common, added, removed, x_c, x_a, x_r)
            checked += 1
    assert checked > 1000


def test_the_check_does_not_hide_what_could_be_shown_anyway():
    """Exact figures whose difference a summary of the newcomers could show are allowed."""
    for common, added in itertools.product(range(9, 14), range(9, 14)):
        for o, n_new in itertools.product(range(common + 1), range(added + 1)):
            if band_of(n_new, added, 5) == (n_new, n_new):
                assert safe_together((o + n_new,) * 2, (o, o), added=added, removed=0, common=common, k=5)


def test_change_only_between_exact_figures():
    assert change((8, 8), (6, 6)) == 2
    assert change((6, 6), (0, 4)) is None  # would reveal last period's hidden 4
    assert change((0, 4), (6, 6)) is None
