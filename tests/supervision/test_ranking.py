"""Ranks, the bottom list and repeat offenders."""

from __future__ import annotations

from decimal import Decimal

from renkou.supervision.ranking import Scored, rank, repeat_status

D = Decimal


def _ranked(scores: dict[str, str], n: int) -> list[tuple[str, int, bool]]:
    return [
        (r.code, r.rank, r.bottom) for r in rank([Scored(c, D(s)) for c, s in scores.items()], n)
    ]


def test_equal_scores_share_a_rank_and_the_next_rank_skips():
    assert _ranked({"a": "90", "b": "95", "c": "90", "d": "80"}, 1) == [
        ("b", 1, False),
        ("a", 2, False),
        ("c", 2, False),
        ("d", 4, True),
    ]


def test_a_unit_tied_with_the_last_bottom_place_is_listed_too():
    result = _ranked({"a": "99", "b": "90", "c": "85", "d": "85", "e": "80"}, 2)
    assert [code for code, _, bottom in result if bottom] == ["c", "d", "e"]


def test_no_bottom_list_when_n_is_zero_or_nobody_was_scored():
    assert not any(b for _, _, b in _ranked({"a": "90", "b": "80"}, 0))
    assert rank([], 3) == []


def test_a_unit_tied_with_the_best_is_never_in_the_bottom_list():
    assert _ranked({"a": "90", "b": "80"}, 5) == [("a", 1, False), ("b", 2, True)]
    scores = {"a": "100", "b": "100", "c": "100", "d": "97", "e": "90"}
    assert [code for code, _, bottom in _ranked(scores, 3) if bottom] == ["d", "e"]
    assert not any(b for _, _, b in _ranked({"a": "95", "b": "95"}, 1))


def test_three_months_running_makes_a_repeat_offender():
    status = repeat_status(
        [False, True, True], [True, True], in_bottom=True, consecutive=3, total=5
    )
    assert (status.streak, status.year_count, status.repeat) == (3, 3, True)
    assert status.explanation == "连续3个月列入后进名单。"


def test_five_times_in_the_year_makes_a_repeat_offender():
    history = [True, False, True, False, True, False, True, False]
    status = repeat_status(history, history, in_bottom=True, consecutive=3, total=5)
    assert (status.streak, status.year_count, status.repeat) == (1, 5, True)
    assert status.explanation == "本年度第5次列入后进名单。"


def test_last_years_bottom_places_count_for_the_streak_but_not_the_year():
    status = repeat_status([True, True], [], in_bottom=True, consecutive=3, total=5)
    assert (status.streak, status.year_count, status.repeat) == (3, 1, True)


def test_a_unit_out_of_the_bottom_list_is_not_flagged():
    status = repeat_status([True, True], [True, True], in_bottom=False, consecutive=3, total=5)
    assert (status.streak, status.year_count, status.repeat, status.explanation) == (
        0,
        2,
        False,
        "",
    )
