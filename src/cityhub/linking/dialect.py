"""The few SQL spellings in which DuckDB and Spark differ, for the linking pipeline's own SQL.

Linking writes its SQL once, through these helpers, and gets the same meaning on both engines
(``tests/linking/test_spark_equivalence.py`` checks it on the whole pipeline):

- string literals: Spark unescapes backslashes in literals and reads ``'a''b'`` as two adjacent
  literals, DuckDB does neither; a pattern is written with backslashes escaped on Spark;
- regular expressions: DuckDB's are RE2, Spark's Java. The patterns in ``features`` keep to the
  part both read alike (``\\A``/``\\z`` instead of ``$``, explicit whitespace classes instead of
  ``\\s``, ``(?s)`` where ``.`` is used); replace-all takes ``\\1`` in DuckDB and ``$1`` in Java;
  a full match is a search anchored at both absolute ends on Spark;
- lists: ``string_split``/``list_*`` in DuckDB, ``split`` (a regular expression)/``array_*``
  in Spark.

The validators and the half-width step come from ``cityhub.registry.sql`` as DuckDB SQL; on
Spark they go through the processing path's dialect (``cityhub.pool.spark.dialect``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

EngineName = Literal["duckdb", "spark"]


@dataclass(frozen=True)
class Dialect:
    """How one engine spells what linking needs."""

    name: EngineName

    @property
    def spark(self) -> bool:
        """Whether this is Spark SQL."""
        return self.name == "spark"

    @property
    def text(self) -> str:
        """The text type in a CAST."""
        return "STRING" if self.spark else "VARCHAR"

    def literal(self, text: str) -> str:
        """A string literal that reads back as ``text``."""
        if self.spark:
            return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return "'" + text.replace("'", "''") + "'"

    def quote(self, identifier: str) -> str:
        """A quoted identifier."""
        if self.spark:
            return "`" + identifier.replace("`", "``") + "`"
        return '"' + identifier.replace('"', '""') + '"'

    def replace_all(self, value: str, pattern: str, replacement: str = "") -> str:
        """Every match of ``pattern`` replaced; ``replacement`` refers to groups as ``\\1``."""
        if self.spark:
            java = re.sub(r"\\(\d)", r"$\1", replacement.replace("$", "\\$"))
            return f"regexp_replace({value}, {self.literal(pattern)}, {self.literal(java)})"
        return f"regexp_replace({value}, {self.literal(pattern)}, {self.literal(replacement)}, 'g')"

    def extract(self, value: str, pattern: str, group: int) -> str:
        """Group ``group`` of the first match, '' when none (NULL for NULL)."""
        return f"regexp_extract({value}, {self.literal(pattern)}, {int(group)})"

    def contains(self, value: str, pattern: str) -> str:
        """Whether ``pattern`` matches anywhere in ``value``."""
        function = "regexp_like" if self.spark else "regexp_matches"
        return f"{function}({value}, {self.literal(pattern)})"

    def full_match(self, value: str, pattern: str) -> str:
        """Whether ``pattern`` matches the whole of ``value``."""
        if self.spark:
            anchored = r"\A(?:" + pattern + r")\z"
            return f"regexp_like({value}, {self.literal(anchored)})"
        return f"regexp_full_match({value}, {self.literal(pattern)})"

    def sorted_parts(self, value: str, separator: str) -> str:
        """``value`` split at the one character ``separator``: non-empty parts, distinct, sorted."""
        if self.spark:
            split = f"split({value}, {self.literal(re.escape(separator))})"
            return f"array_sort(array_distinct(filter({split}, x -> x <> '')))"
        split = f"string_split({value}, {self.literal(separator)})"
        return f"list_sort(list_distinct(list_filter({split}, lambda x: x <> '')))"

    def size(self, value: str) -> str:
        """The number of elements of a list."""
        return f"size({value})" if self.spark else f"len({value})"

    def intersection(self, left: str, right: str) -> str:
        """The distinct elements in both lists."""
        function = "array_intersect" if self.spark else "list_intersect"
        return f"{function}({left}, {right})"

    def union(self, left: str, right: str) -> str:
        """The distinct elements in either list."""
        if self.spark:
            return f"array_union({left}, {right})"
        return f"list_distinct(list_concat({left}, {right}))"

    def registry(self, expression: str) -> str:
        """A DuckDB expression from ``cityhub.registry.sql`` in this dialect."""
        if not self.spark:
            return expression
        from cityhub.pool.spark.dialect import expression_to_spark

        return expression_to_spark(expression)


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")
