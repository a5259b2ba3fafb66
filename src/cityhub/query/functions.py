"""The allowlists of the SQL sandbox: which sqlglot nodes and functions a query may contain.

sqlglot parses most functions into classes of their own (``lower(x)`` is ``exp.Lower``), and
functions it does not know into ``exp.Anonymous`` carrying the name. So the allowlist is a set of
classes plus a set of names for ``Anonymous``. Classes are compared exactly (``type(node) in
...``), never with ``isinstance``: a subclass of an allowed class is a different function.

A class stands for every spelling sqlglot maps onto it (``substr`` and ``substring`` are both
``exp.Substring``; ``len`` is ``exp.Length``), and the DuckDB SQL that runs is what sqlglot
generates for the class, not what the user typed.
"""

from __future__ import annotations

from sqlglot import exp

# The shape of a query: clauses, operators, literals, names. Anything else (INTO, FOR UPDATE,
# VALUES, PIVOT, time travel, JSON paths, Command, ...) is refused as syntax.
STRUCTURE: frozenset[type[exp.Expr]] = frozenset(
    {
        # statements and clauses
        exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Subquery, exp.With, exp.CTE,
        exp.From, exp.Join, exp.Lateral, exp.Unnest, exp.Where, exp.Group, exp.Having,
        exp.Qualify, exp.Order, exp.Ordered, exp.Limit, exp.LimitOptions, exp.Offset,
        exp.Distinct, exp.Window, exp.WindowSpec, exp.Filter, exp.TableSample, exp.Rollup,
        exp.Cube, exp.GroupingSets,
        # names and values; Var, numeric Literal and DataType get extra checks in sqlcheck
        exp.Alias, exp.TableAlias, exp.Column, exp.Star, exp.Identifier, exp.Literal, exp.Null,
        exp.Boolean, exp.Var, exp.DataType, exp.DataTypeParam, exp.ColumnDef, exp.Interval,
        exp.Tuple, exp.Bracket, exp.Slice, exp.Dot, exp.Lambda, exp.PropertyEQ, exp.Paren,
        # operators
        exp.Neg, exp.Not, exp.And, exp.Or, exp.Xor, exp.Add, exp.Sub, exp.Mul, exp.Div,
        exp.IntDiv, exp.Mod, exp.DPipe, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE,
        exp.NullSafeEQ, exp.NullSafeNEQ, exp.Is, exp.In, exp.Between, exp.Like, exp.ILike,
        exp.Escape, exp.Any, exp.All, exp.Exists, exp.BitwiseAnd, exp.BitwiseOr, exp.BitwiseXor,
        exp.BitwiseNot, exp.BitwiseLeftShift, exp.BitwiseRightShift,
    }
)  # fmt: skip

# Scalar, aggregate and window functions that compute on their arguments only: none reads a
# file, a setting, the environment or the catalogue, and none changes state (so no nextval,
# setseed or random). ``list_aggregate`` stays out on purpose: it calls an aggregate named by a
# string, which would sidestep this list. Lambdas are fine: their bodies are checked like the rest.
FUNCTIONS: frozenset[type[exp.Expr]] = frozenset(
    {
        # conditional and casts
        exp.Case, exp.If, exp.Coalesce, exp.Nullif, exp.Cast, exp.TryCast, exp.Typeof,
        # strings
        exp.Lower, exp.Upper, exp.Initcap, exp.Length, exp.Substring, exp.Trim, exp.Replace,
        exp.Concat, exp.ConcatWs, exp.StrPosition, exp.RegexpLike, exp.RegexpReplace,
        exp.RegexpExtract, exp.SplitPart, exp.Split, exp.Left, exp.Right, exp.Pad, exp.Reverse,
        exp.StartsWith, exp.EndsWith, exp.Contains, exp.Translate, exp.Levenshtein, exp.Chr,
        exp.Ascii,
        # dates and times
        exp.TimestampTrunc, exp.DateTrunc, exp.Extract, exp.Year, exp.Month, exp.Day, exp.Hour,
        exp.Minute, exp.Second, exp.Week, exp.Quarter, exp.DayOfWeek, exp.DayOfMonth,
        exp.DayOfYear, exp.TimeToStr, exp.StrToTime, exp.StrToDate, exp.CurrentDate,
        exp.CurrentTimestamp, exp.DateDiff, exp.DateAdd, exp.DateSub, exp.DateFromParts,
        exp.TimeToUnix, exp.UnixToTime, exp.Dayname, exp.Monthname, exp.LastDay,
        exp.DayOfWeekIso,
        # numbers
        exp.Abs, exp.Round, exp.Floor, exp.Ceil, exp.Ln, exp.Log, exp.Exp, exp.Sqrt, exp.Pow,
        exp.Greatest, exp.Least, exp.Sign, exp.Cbrt, exp.Pi, exp.Degrees, exp.Radians,
        exp.IsNan, exp.IsInf,
        # aggregates
        exp.Count, exp.Sum, exp.Avg, exp.Min, exp.Max, exp.Median, exp.PercentileCont,
        exp.PercentileDisc, exp.Quantile, exp.Stddev, exp.StddevSamp, exp.StddevPop,
        exp.Variance, exp.VariancePop, exp.GroupConcat, exp.ArrayAgg, exp.LogicalAnd,
        exp.LogicalOr, exp.ApproxDistinct, exp.Mode, exp.First, exp.Last, exp.ArgMin,
        exp.ArgMax, exp.CountIf, exp.Corr, exp.CovarPop, exp.CovarSamp, exp.AnyValue,
        # window functions
        exp.RowNumber, exp.Rank, exp.DenseRank, exp.Lag, exp.Lead, exp.Ntile, exp.PercentRank,
        exp.CumeDist, exp.FirstValue, exp.LastValue, exp.NthValue,
        # lists and structs (values in the row, nothing else)
        exp.Array, exp.Struct, exp.ArrayContains, exp.ArraySize, exp.ArraySort,
        exp.ArrayDistinct, exp.Transform, exp.ArrayFilter, exp.StructExtract, exp.Flatten,
        exp.Explode, exp.ArrayMin, exp.ArrayMax, exp.ArrayToString,
    }
)  # fmt: skip

ALLOWED_NODES: frozenset[type[exp.Expr]] = STRUCTURE | FUNCTIONS

# DuckDB functions sqlglot has no class for (it parses them into exp.Anonymous), lower case.
ALLOWED_ANONYMOUS: frozenset[str] = frozenset(
    {
        "date_part", "datepart", "now", "mean", "isoyear", "yearweek", "era", "list_extract",
        "list_element", "list_reverse", "list_slice", "list_sum", "list_has_all",
        "regexp_split_to_array", "printf", "nfc_normalize", "strip_accents",
        "damerau_levenshtein", "octet_length", "even", "gcd", "lcm", "isfinite", "fsum",
        "product", "entropy", "histogram",
    }
)  # fmt: skip

# Table functions that read files, URLs or other databases. A refusal names them as file access
# (reason ``file_access``) rather than as an unknown function, wherever they appear. Any other
# ``read_*`` name counts too: DuckDB extensions keep adding readers under that prefix.
FILE_READERS: frozenset[str] = frozenset(
    {
        "read_csv", "read_csv_auto", "read_parquet", "parquet_scan", "parquet_metadata",
        "parquet_schema", "parquet_file_metadata", "parquet_kv_metadata", "read_json",
        "read_json_auto", "read_json_objects", "read_json_objects_auto", "read_ndjson",
        "read_ndjson_auto", "read_ndjson_objects", "read_text", "read_blob", "read_xlsx", "glob",
        "sniff_csv", "iceberg_scan", "iceberg_metadata", "iceberg_snapshots", "delta_scan",
        "sqlite_scan", "sqlite_attach", "postgres_scan", "postgres_scan_pushdown",
        "postgres_attach", "postgres_query", "mysql_scan", "mysql_query", "st_read",
        "st_read_meta", "load_aws_credentials", "which_secret",
    }
)  # fmt: skip
