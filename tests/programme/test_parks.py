"""Parks: the tiering table (boundaries, weights, explanation), and the park registry."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, PermissionDenied
from cityhub.programme import parks
from cityhub.programme.tiering import CRITERIA, DEFAULT_WEIGHTS, tier_of
from tests.programme.test_projects import ADMIN, ANALYST, STEWARD, audit_actions, credit


def scores(
    industry: float, prospects: float, innovation: float, environment: float
) -> dict[str, float]:
    return dict(zip(CRITERIA, (industry, prospects, innovation, environment), strict=True))


# (scores, expected tier, expected total, criteria below 70)
TIERS = [
    (scores(85, 85, 85, 85), "demonstration", 85.0, ()),
    (scores(100, 100, 100, 70), "demonstration", 94.0, ()),
    (scores(84.9, 84.9, 84.9, 84.9), "growth", 84.9, ()),
    (scores(100, 100, 100, 69.9), "growth", 93.98, ("environment",)),  # total ok, one below bar
    (
        scores(60, 60, 60, 60),
        "growth",
        60.0,
        ("industry", "prospects", "innovation", "environment"),
    ),
    (
        scores(59.9, 59.9, 59.9, 59.9),
        "candidate",
        59.9,
        ("industry", "prospects", "innovation", "environment"),
    ),
    (scores(0, 0, 0, 0), "candidate", 0.0, ("industry", "prospects", "innovation", "environment")),
]


@pytest.mark.parametrize(("given_scores", "tier", "total", "below"), TIERS)
def test_the_tier_follows_the_weighted_total_and_the_bar(
    given_scores: dict[str, float], tier: str, total: float, below: tuple[str, ...]
) -> None:
    found = tier_of(given_scores)
    assert (found.tier, found.below_bar) == (tier, below)
    assert found.total == pytest.approx(total)


def test_the_explanation_names_the_total_and_the_low_criterion() -> None:
    found = tier_of(scores(100, 100, 100, 65))
    assert found.tier == "growth"
    assert "93" in found.explanation_zh and "发展环境 65 分" in found.explanation_zh
    assert "development environment 65" in found.explanation_en
    top = tier_of(scores(90, 90, 90, 90))
    assert "90" in top.explanation_zh and "示范" in top.explanation_zh
    low = tier_of(scores(50, 50, 50, 50))
    assert "候选" in low.explanation_zh and "candidate" in low.explanation_en


def test_weights_change_the_total() -> None:
    weights = {"industry": 1.0, "prospects": 0.0, "innovation": 0.0, "environment": 0.0}
    assert tier_of(scores(90, 0, 0, 0), weights).total == 90.0


@pytest.mark.parametrize(
    ("weights", "field"),
    [
        ({"industry": 0.5, "prospects": 0.5, "innovation": 0.5, "environment": 0.5}, "weights"),
        ({"industry": 1.0}, "weights"),
        ({"industry": 1.2, "prospects": -0.2, "innovation": 0.0, "environment": 0.0}, "weights"),
    ],
)
def test_bad_weights_are_refused(weights: dict[str, float], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        tier_of(scores(80, 80, 80, 80), weights)
    assert caught.value.details["field"] == field


@pytest.mark.parametrize("bad", [-0.1, 100.1, float("nan")])
def test_scores_are_0_to_100(bad: float) -> None:
    with pytest.raises(InvalidInput) as caught:
        tier_of(scores(80, bad, 80, 80))
    assert caught.value.details["field"] == "prospects"


@given(st.lists(st.floats(0, 100), min_size=4, max_size=4))
def test_the_total_lies_between_the_lowest_and_highest_score(values: list[float]) -> None:
    found = tier_of(scores(*values), DEFAULT_WEIGHTS)
    assert min(values) - 0.01 <= found.total <= max(values) + 0.01
    assert found.tier != "demonstration" or min(values) >= 70


def test_a_park_is_registered_scored_and_explained(db: Database) -> None:
    park = parks.register_park(
        db,
        ADMIN,
        "聊城数字经济产业园",
        "371502",
        department="DSJJ",
        registered_on=date(2020, 9, 1),
        residents=[credit(1), credit(2), credit(1)],
    )
    assert park.evaluation is None and park.residents == (credit(1), credit(2))
    weights = {"industry": 0.25, "prospects": 0.25, "innovation": 0.25, "environment": 0.25}
    scored = parks.evaluate_park(
        db, ADMIN, park.id, scores(90, 88, 86, 84), weights, on=date(2021, 3, 1)
    )
    assert scored.evaluation is not None
    assert (scored.evaluation.tier, scored.evaluation.tier_zh, scored.evaluation.total) == (
        "demonstration",
        "示范",
        87.0,
    )
    assert scored.evaluation.weights == weights  # stored with the scores
    later = parks.evaluate_park(db, ADMIN, park.id, scores(90, 88, 86, 60), on=date(2022, 3, 1))
    assert later.evaluation is not None and later.evaluation.tier == "growth"
    assert "发展环境 60 分" in later.evaluation.explanation_zh
    assert parks.get_park(db, ANALYST, park.id).evaluation == later.evaluation
    for action in ("programme.park.register", "programme.park.evaluate", "programme.park.read"):
        assert action in audit_actions(db)


def test_residents_are_credit_codes_and_replaceable(db: Database) -> None:
    park = parks.register_park(db, ADMIN, "临清轴承数字园", "371581", department="DSJJ")
    with pytest.raises(InvalidInput) as caught:
        parks.set_residents(db, ADMIN, park.id, [credit(3), "123"])
    assert caught.value.details == {
        "field": "residents[1]",
        "value": "123",
        "reason_zh": caught.value.details["reason_zh"],
    }
    assert parks.set_residents(db, ADMIN, park.id, [credit(3)]).residents == (credit(3),)


def test_parks_are_the_programme_offices_decision(db: Database) -> None:
    with pytest.raises(PermissionDenied):
        parks.register_park(db, STEWARD, "某园区", "371502")
    park = parks.register_park(db, ADMIN, "某园区", "371502", department="DSJJ")
    with pytest.raises(PermissionDenied):
        parks.evaluate_park(db, STEWARD, park.id, scores(90, 90, 90, 90))
    with pytest.raises(Conflict):
        parks.register_park(db, ADMIN, "某园区", "371503", department="DSJJ")
    assert [p.name for p in parks.list_parks(db, ANALYST)] == ["某园区"]
