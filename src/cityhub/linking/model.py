"""The Splink model: comparisons, blocking rules and training, for legal entities and people.

Comparisons (Fellegi-Sunter; each level has its own m and u):

- name: the 字号 of a company (its 行业 must agree, see blocking), a person's whole name:
  exact, one character apart (a typo), Jaro-Winkler ≥ 0.9, else;
- city prefix of the name: same, else (missing on either side is neutral);
- legal form: same, else;
- address: the same set of parts (in any order), same road and number, at least half the parts
  shared (Jaccard ≥ 0.5), else;
- phone: same, else;
- legal representative: same, Jaro-Winkler ≥ 0.85, else;
- the identifier as written, valid or not: same, at most two edits apart (a wrong check
  character, a lost digit), else.

Blocking (a pair is scored when any rule holds, each rule indexed by an equi-join, so 1M × 1M
stays linear in practice): same name core; same phone; same road and number; same legal
representative and first character of the name core. Every rule also requires at least one side
without a valid identifier (two different valid credit codes are two entities; two equal ones
were linked already, deterministically), and for companies the same branch suffix (a 分公司
never links to its parent or to another branch) and no two different 行业 (鲁西化工 and
鲁西机械 are sister companies): facts that Fellegi-Sunter's independent evidence would
otherwise outvote, since sister companies share address and legal representative.

Training: u from random pairs (``estimate_u_using_random_sampling``); m by expectation
maximisation on two blocked samples (same name core; same phone), each estimating the
comparisons it does not block on; the prior from deterministic rules.
"""

from __future__ import annotations

from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

from cityhub.linking.dialect import DUCKDB, Dialect
from cityhub.linking.features import Kind

# Two valid identifiers decide by themselves (equal: linked already; different: not the same).
GUARD = "(l.code IS NULL OR r.code IS NULL)"
# A branch is not its parent; the same 字号 in another 行业 is a sister company, not the same one.
ENTITY_GUARD = (
    f"{GUARD} AND l.name_branch = r.name_branch AND (l.name_industry IS NULL "
    "OR r.name_industry IS NULL OR l.name_industry = r.name_industry)"
)


def jaccard_half(d: Dialect) -> str:
    """At least half the address parts shared (both lists are distinct already)."""
    shared = d.size(d.intersection("addr_tokens_l", "addr_tokens_r"))
    return f"{shared} * 2 >= {d.size(d.union('addr_tokens_l', 'addr_tokens_r'))}"


def _m(level: ComparisonLevelCreator, m: float, *, fixed: bool = False) -> ComparisonLevelCreator:
    """A level with a starting m probability (training replaces it unless ``fixed``)."""
    return level.configure(m_probability=m, fix_m_probability=fixed)


def _sql(condition: str, label: str, m: float) -> ComparisonLevelCreator:
    return _m(cll.CustomLevel(condition, label_for_charts=label), m)


def _name(column: str) -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel(column),
            _m(cll.ExactMatchLevel(column), 0.75),
            _m(cll.LevenshteinLevel(column, 1), 0.2),
            _m(cll.JaroWinklerLevel(column, 0.9), 0.02),
            _m(cll.ElseLevel(), 0.01),
        ],
    )


def _exact(column: str, output: str, m: float) -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name=output,
        comparison_levels=[
            cll.NullLevel(column),
            _m(cll.ExactMatchLevel(column), m),
            _m(cll.ElseLevel(), 1 - m),
        ],
    )


def _address(d: Dialect) -> ComparisonCreator:
    empty = (
        "addr_tokens_l IS NULL OR addr_tokens_r IS NULL "
        f"OR {d.size('addr_tokens_l')} = 0 OR {d.size('addr_tokens_r')} = 0"
    )
    return cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.CustomLevel(empty, label_for_charts="null").configure(is_null_level=True),
            _sql("addr_tokens_l = addr_tokens_r", "same parts", 0.6),
            _sql("addr_key_l = addr_key_r", "same road and number", 0.25),
            _sql(jaccard_half(d), "half the parts", 0.1),
            _m(cll.ElseLevel(), 0.05),
        ],
    )


def _representative() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="legal_rep",
        comparison_levels=[
            cll.NullLevel("rep"),
            _m(cll.ExactMatchLevel("rep"), 0.85),
            _m(cll.JaroWinklerLevel("rep", 0.85), 0.05),
            _m(cll.ElseLevel(), 0.1),
        ],
    )


def _identifier() -> ComparisonCreator:
    # Scored pairs have at most one valid identifier, so training pairs (two equal valid ones)
    # say nothing about these levels: their m is fixed. An invalid code two edits from the
    # other side's (a wrong check character, a lost digit) is the common case among matches.
    return cl.CustomComparison(
        output_column_name="identifier",
        comparison_levels=[
            cll.NullLevel("code_raw"),
            _m(cll.ExactMatchLevel("code_raw"), 0.05, fixed=True),
            _m(cll.LevenshteinLevel("code_raw", 2), 0.9, fixed=True),
            _m(cll.ElseLevel(), 0.05, fixed=True),
        ],
    )


def comparisons(kind: Kind, d: Dialect = DUCKDB) -> list[ComparisonCreator]:
    """The comparisons of one kind of record (custom SQL in ``d``)."""
    shared = [_address(d), _exact("phone", "phone", 0.85), _identifier()]
    if kind is Kind.PERSON:
        return [_name("name_core"), *shared]
    return [
        _name("name_brand"),
        _exact("name_city", "city", 0.85),
        _exact("name_form", "legal_form", 0.95),
        *shared,
        _representative(),
    ]


def blocking_rules(kind: Kind) -> list[str]:
    """Rules that choose the pairs to score (each ANDed with the identifier and branch guard)."""
    rules = [
        "l.name_core = r.name_core",
        "l.phone = r.phone",
        "l.addr_key = r.addr_key",
    ]
    if kind is Kind.LEGAL_ENTITY:
        rules.append("l.rep = r.rep AND l.name_head = r.name_head")
    else:
        rules.append("l.name_head = r.name_head AND l.addr_tokens = r.addr_tokens")
    guard = ENTITY_GUARD if kind is Kind.LEGAL_ENTITY else GUARD
    return [f"{rule} AND {guard}" for rule in rules]


# EM samples: each blocks on one comparison and estimates the others.
TRAINING_RULES = ("l.name_core = r.name_core", "l.phone = r.phone")
# Pairs that are almost surely the same, for the prior (estimated recall of these rules).
PRIOR_RULES = (
    "l.code = r.code",
    "l.name_core = r.name_core AND l.addr_key = r.addr_key AND l.name_branch = r.name_branch",
)
PRIOR_RECALL = 0.8


def settings(kind: Kind, link_type: str, d: Dialect = DUCKDB) -> SettingsCreator:
    """The Splink settings of one run (columns as ``cityhub.linking.records`` makes them)."""
    retained = ["source_key", "name_text", "address_text", "rep_text", "phone_text", "code_text"]
    options: dict[str, Any] = {
        "link_type": link_type,
        "comparisons": comparisons(kind, d),
        "blocking_rules_to_generate_predictions": blocking_rules(kind),
        "retain_intermediate_calculation_columns": False,
        "retain_matching_columns": True,
        "additional_columns_to_retain": retained,
        "max_iterations": 20,
    }
    return SettingsCreator(**options)
