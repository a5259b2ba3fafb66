"""A precedence-climbing parser of ``$filter`` expressions and ``$orderby`` lists.

Precedence follows the OData 4.0 ABNF (see ``nodes.PRECEDENCE``). Every syntax error is an
``InvalidInput`` whose ``details`` name the option and the 0-based character position, and
whose message says what was expected there. Nesting is bounded so that no input, however
hostile, can exhaust the Python stack.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from cityhub.errors import InvalidInput
from cityhub.sensing.sta.query.lexer import Tok, Token, describe, syntax_error, tokenize
from cityhub.sensing.sta.query.nodes import (
    FUNCTIONS,
    PRECEDENCE,
    BoolLit,
    Call,
    DateLit,
    DateTimeLit,
    DurationLit,
    Expr,
    GeoLit,
    Logical,
    NullLit,
    NumberLit,
    Path,
    StringLit,
    TimeLit,
    Unary,
)
from cityhub.sensing.sta.query.nodes import Binary as BinaryNode
from cityhub.sensing.sta.query.wkt import parse_wkt

MAX_NESTING = 100  # parentheses, unary operators and calls inside one another
MAX_DEPTH = 100  # levels of the finished tree (left-deep chains like a add b add c …)
MAX_LENGTH = 100_000  # characters of one option

_DURATION = re.compile(
    r"(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?", re.IGNORECASE
)


class Parser:
    """Parses one option's text; ``base`` offsets positions (text nested in ``$expand``)."""

    def __init__(self, text: str, *, option: str = "$filter", base: int = 0) -> None:
        if len(text) > MAX_LENGTH:
            raise InvalidInput(
                f"{option} is longer than {MAX_LENGTH} characters",
                details={"option": option, "position": base + MAX_LENGTH},
            )
        self.text = text
        self.option = option
        self.base = base
        self.tokens = tokenize(text, option=option, base=base)
        self.index = 0
        self.nesting = 0
        self.vertices = 0  # of all geometry literals, capped by wkt.MAX_VERTICES

    # --- token helpers ---------------------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not Tok.EOF:
            self.index += 1
        return token

    def fail(self, expected: str, token: Token | None = None) -> InvalidInput:
        token = token or self.token
        found = "the end" if token.kind is Tok.EOF else describe(self.text, token.pos - self.base)
        return syntax_error(self.option, token.pos, expected, found)

    def expect(self, kind: Tok, expected: str) -> Token:
        if self.token.kind is not kind:
            raise self.fail(expected)
        return self.advance()

    def keyword(self) -> str | None:
        """The current token as a lower-case keyword, if it is an identifier."""
        return self.token.text.lower() if self.token.kind is Tok.IDENT else None

    def nest(self) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise self.fail(f"at most {MAX_NESTING} nested levels")

    # --- grammar ---------------------------------------------------------------------------

    def parse_filter(self) -> Expr:
        """The whole text as one expression."""
        expr = self.expression()
        if self.token.kind is not Tok.EOF:
            raise self.fail("an operator or the end")
        check_depth(expr, self.option)
        return expr

    def expression(self, min_precedence: int = 1) -> Expr:
        """An expression whose binary operators bind at least as tightly as ``min_precedence``."""
        grouped = self.token.kind is Tok.LPAREN
        left = self.unary()
        while True:
            op = self.keyword()
            if op is None or op not in PRECEDENCE or PRECEDENCE[op] < min_precedence:
                return left
            self.advance()
            right = self.expression(PRECEDENCE[op] + 1)
            if op in ("and", "or"):
                # A chain of one operator is one flat node; a parenthesised chain stays whole.
                if isinstance(left, Logical) and left.op == op and not grouped:
                    left = Logical(op, (*left.operands, right), pos=left.pos)
                else:
                    left = Logical(op, (left, right), pos=left.pos)
                grouped = False
            else:
                left = BinaryNode(op, left, right, pos=left.pos)
                grouped = False

    def unary(self) -> Expr:
        token = self.token
        if self.keyword() == "not" or token.kind is Tok.MINUS:
            self.advance()
            self.nest()
            operand = self.unary()
            self.nesting -= 1
            return Unary("-" if token.kind is Tok.MINUS else "not", operand, pos=token.pos)
        return self.primary()

    def primary(self) -> Expr:
        token = self.token
        if token.kind is Tok.LPAREN:
            self.advance()
            self.nest()
            inner = self.expression()
            self.nesting -= 1
            self.expect(Tok.RPAREN, "')'")
            return inner
        if token.kind is Tok.IDENT:
            return self.identifier()
        literal = self.literal()
        if literal is None:
            raise self.fail("an expression")
        return literal

    def identifier(self) -> Expr:
        token = self.advance()
        word = token.text.lower()
        if self.token.kind is Tok.LPAREN:
            return self.call(token)
        if word in ("true", "false"):
            return BoolLit(word == "true", pos=token.pos)
        if word == "null":
            return NullLit(pos=token.pos)
        if word in PRECEDENCE:
            raise self.fail("an expression", token)
        segments = [_segment(token.text)]
        while self.token.kind is Tok.SLASH:
            self.advance()
            if self.keyword() in PRECEDENCE:
                raise self.fail("a property name")
            segments.append(_segment(self.expect(Tok.IDENT, "a property name").text))
        return Path(tuple(segments), pos=token.pos)

    def call(self, name_token: Token) -> Expr:
        name = name_token.text.lower()
        if name not in FUNCTIONS:
            raise syntax_error(
                self.option, name_token.pos, "a known function", repr(name_token.text)
            )
        self.advance()  # (
        self.nest()
        args: list[Expr] = []
        if self.token.kind is not Tok.RPAREN:
            args.append(self.expression())
            while self.token.kind is Tok.COMMA:
                self.advance()
                args.append(self.expression())
        least, most = FUNCTIONS[name]
        if not least <= len(args) <= most:
            count = str(least) if least == most else f"{least} to {most}"
            raise self.fail(f"{count} arguments to {name}()")
        self.expect(Tok.RPAREN, "',' or ')'")
        self.nesting -= 1
        return Call(name, tuple(args), pos=name_token.pos)

    def literal(self) -> Expr | None:
        token = self.token
        kind = token.kind
        if kind is Tok.STRING:
            node: Expr = StringLit(token.text, pos=token.pos)
        elif kind is Tok.NUMBER:
            node = NumberLit(self.number(token), pos=token.pos)
        elif kind is Tok.DATETIME:
            node = DateTimeLit(self.datetime_value(token), pos=token.pos)
        elif kind is Tok.DATE:
            node = DateLit(self.date_value(token), pos=token.pos)
        elif kind is Tok.TIME:
            node = TimeLit(self.time_value(token), pos=token.pos)
        elif kind is Tok.TYPED:
            node = self.typed(token)
        else:
            return None
        self.advance()
        return node

    def number(self, token: Token) -> int | Decimal:
        if re.fullmatch(r"-?\d+", token.text):
            return int(token.text)
        try:
            value = Decimal(token.text)
        except InvalidOperation:  # pragma: no cover - the lexer only lets numbers through
            raise self.fail("a number") from None
        if not value.is_finite() or abs(value.adjusted()) > 400:
            raise self.fail("a number of reasonable size")
        return value

    def datetime_value(self, token: Token) -> datetime:
        text = token.text[:-1] + "+00:00" if token.text[-1] in "Zz" else token.text
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise self.fail("a valid date and time") from None
        value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        try:
            value.astimezone(UTC)  # stored and compared in UTC: it must stay in range
        except OverflowError:
            raise self.fail("a date and time between the years 1 and 9999 in UTC") from None
        return value

    def date_value(self, token: Token) -> date:
        try:
            return date.fromisoformat(token.text)
        except ValueError:
            raise self.fail("a valid date") from None

    def time_value(self, token: Token) -> time:
        try:
            return time.fromisoformat(token.text)
        except ValueError:
            raise self.fail("a valid time of day") from None

    def typed(self, token: Token) -> Expr:
        content_at = token.pos + len(token.prefix) + 1
        if token.prefix == "duration":
            return DurationLit(self.duration(token, content_at), pos=token.pos)
        shape, self.vertices = parse_wkt(
            token.text, base=content_at, option=self.option, vertices=self.vertices
        )
        return GeoLit(token.prefix == "geography", shape, pos=token.pos)

    def duration(self, token: Token, content_at: int) -> timedelta:
        match = _DURATION.fullmatch(token.text.strip())
        if match is None or not any(match.groups()[1:]) or token.text.upper().endswith("T"):
            raise syntax_error(
                self.option,
                content_at,
                "an ISO 8601 duration in days, hours, minutes, seconds (P1DT2H30M)",
                repr(token.text),
            )
        sign, days, hours, minutes, seconds = match.groups()
        micros = int(Decimal(seconds or 0) * 1_000_000)  # exact; beyond microseconds dropped
        try:
            value = timedelta(
                days=int(days or 0),
                hours=int(hours or 0),
                minutes=int(minutes or 0),
                microseconds=micros,
            )
        except OverflowError:
            raise syntax_error(
                self.option, content_at, "a shorter duration", repr(token.text)
            ) from None
        return -value if sign else value


def _segment(word: str) -> str:
    return "id" if word == "@iot.id" else word


def check_depth(expr: Expr, option: str) -> None:
    """Refuse trees deeper than ``MAX_DEPTH`` (compiling them would exhaust the stack)."""
    stack: list[tuple[Expr, int]] = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidInput(
                f"{option}: the expression is nested more than {MAX_DEPTH} levels deep "
                f"(at position {node.pos})",
                details={"option": option, "position": node.pos},
            )
        stack.extend((child, depth + 1) for child in children(node))


def children(node: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of a node."""
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, BinaryNode):
        return (node.left, node.right)
    if isinstance(node, Logical):
        return node.operands
    if isinstance(node, Call):
        return node.args
    return ()


def parse_filter(text: str, *, option: str = "$filter", base: int = 0) -> Expr:
    """The syntax tree of a ``$filter`` text; ``InvalidInput`` with the position otherwise."""
    return Parser(text, option=option, base=base).parse_filter()
