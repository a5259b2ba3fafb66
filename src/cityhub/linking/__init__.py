"""Record linking (主体关联): the same enterprise or person across departments' datasets.

Records with a valid 统一社会信用代码 (or 公民身份号码) link on it; the others are scored by
Splink (on DuckDB, or Spark with ``engine: spark``) over normalised names, addresses, legal
representatives and phones; pairs above the threshold are clustered, and every record gets a
cluster id in a link table that is a dataset of the catalogue. Uncertain pairs go to a review
page; decisions apply from the next run on.
See docs/linking.md.
"""

from cityhub.linking.features import Kind
from cityhub.linking.models import LinkPair, LinkRun
from cityhub.linking.pipeline import Decision, Outcome, ScoredPair, Thresholds, link
from cityhub.linking.records import ColumnMap, SourceFiles
from cityhub.linking.review import ReviewPair, Verdict, decide, pairs_for_review
from cityhub.linking.runs import get_run, list_runs, rerun, run_linking
from cityhub.linking.spec import LinkSpec, SourceSpec

__all__ = [
    "ColumnMap",
    "Decision",
    "Kind",
    "LinkPair",
    "LinkRun",
    "LinkSpec",
    "Outcome",
    "ReviewPair",
    "ScoredPair",
    "SourceFiles",
    "SourceSpec",
    "Thresholds",
    "Verdict",
    "decide",
    "get_run",
    "link",
    "list_runs",
    "pairs_for_review",
    "rerun",
    "run_linking",
]
