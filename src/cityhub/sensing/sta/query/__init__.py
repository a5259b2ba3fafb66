"""SensorThings query options: parsing ``$filter`` … ``$expand`` and compiling them to SQL.

Public interface (stable; the read side codes against it):

- ``parse_options(params, *, max_top, default_top) -> QueryOptions`` — the ``$`` parameters of
  a request, parsed; ``InvalidInput`` with ``details={"option", "position"}`` on bad syntax.
- ``unknown_options(params) -> list[str]`` — ``$`` options not implemented (answer 501).
- ``QueryOptions`` (filter, orderby, top, top_given, skip, count, select, expand,
  result_format), ``OrderItem`` (expr, descending), ``Expand`` (relation, options): one hop
  each, nested.
- ``compile_filter(entity, source, expr) -> ColumnElement[bool]`` — a ``$filter`` tree as a
  boolean SQL expression over ``source`` (an ``aliased(entity.model)``); put it in
  ``select(source).where(…)``.
- ``compile_orderby(entity, source, items) -> list[ColumnElement]`` — ORDER BY terms with
  SensorThings null ordering (nulls first ascending, last descending); append the id for a
  stable order.
- ``check_options(entity, options)`` — names in ``$select``/``$expand`` (recursively), and
  the ``$filter``/``$orderby`` paths, exist on the entity types.
- ``parse_filter(text)``, ``to_text(expr)`` and ``orderby_text(items)`` — one expression,
  and back to text (for nextLinks of expanded collections).
"""

from cityhub.sensing.sta.query.compile import check_options, compile_filter, compile_orderby
from cityhub.sensing.sta.query.model import Expand, OrderItem, QueryOptions
from cityhub.sensing.sta.query.options import parse_options, unknown_options
from cityhub.sensing.sta.query.parser import parse_filter
from cityhub.sensing.sta.query.printer import orderby_text, to_text

__all__ = [
    "Expand",
    "OrderItem",
    "QueryOptions",
    "check_options",
    "compile_filter",
    "compile_orderby",
    "orderby_text",
    "parse_filter",
    "parse_options",
    "to_text",
    "unknown_options",
]
