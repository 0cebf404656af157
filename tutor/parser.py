"""A small, safe parser for the answers students type.

Student text is never handed to ``eval``, ``exec``, ``sympify`` or
``parse_expr``: those execute code. Here text becomes tokens, tokens a syntax
tree built only from numbers, the declared variables, ``e`` and ``pi``, the
operators ``+ - * / ^ **`` (and a trailing ``%``) and a fixed list of
functions. Limits on length, nesting and magnitudes keep every parse and
every evaluation fast, whatever the input.

Trees are tuples: ``("num", value)``, ``("var", name)``, ``("neg", a)``,
``("add" | "sub" | "mul" | "div" | "pow", a, b)``, ``("call", name, args)``.
"""

import math
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

MAX_LENGTH = 2000
MAX_DEPTH = 60
MAX_NODES = 500

FUNCTIONS = {
    # name: (number of arguments, or None for one or more)
    "exp": 1,
    "ln": 1,
    "log": 1,
    "log2": 1,
    "sqrt": 1,
    "abs": 1,
    "sin": 1,
    "cos": 1,
    "tan": 1,
    "tanh": 1,
    "sigmoid": 1,
    "max": None,
    "min": None,
}
CONSTANTS = {"e": math.e, "pi": math.pi}

# Characters a Chinese keyboard or a word processor produces, mapped to ASCII
# after NFKC has folded the full-width forms (０-９, （）, ，, ＋ …).
REPLACEMENTS = {
    "\u2212": "-",  # minus sign
    "\u2013": "-",  # en dash
    "\u2014": "-",
    "\u00d7": "*",  # multiplication sign
    "\u00b7": "*",  # middle dot
    "\u22c5": "*",  # dot operator
    "\u2219": "*",
    "\u00f7": "/",
    "\u3001": ",",  # ideographic comma
    "\u3002": ".",  # ideographic full stop
    "\u03c0": "pi",
    "\u221a": "sqrt",
    "\u3010": "[",
    "\u3011": "]",
    "\uff3b": "[",
    "\uff3d": "]",
    "\u00a0": " ",
}

TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
    r"|(?P<op>\*\*|[-+*/^(),;\[\]%])"
)


MESSAGES = {
    "en": {
        "too-long": "the answer is too long (more than {limit} characters)",
        "character": "unexpected character {char}",
        "expected": "expected {expected}, found {found}",
        "expression-too-long": "the expression is too long",
        "too-deep": "too deeply nested (more than {limit} levels)",
        "missing-operator": "an operator is missing before this number",
        "number-too-large": "the number is too large",
        "ends-early": "the answer ends too early: a number or a name is missing",
        "unexpected": "unexpected {found}",
        "parentheses": "{name} needs its argument in parentheses, e.g. {name}(2)",
        "arity": "{name} takes {arity} argument, got {count}",
        "unknown-name": "unknown name {name}; this answer may use {known} and the functions "
        "{functions}",
        "empty": "the answer is empty",
        "row-start": "expected '[' to start a row",
        "not-closed": "a '[' is not closed",
        "entry-missing": "an entry is missing",
        "the-end": "the end",
    },
    "zh": {
        "too-long": "答案太长（超过 {limit} 个字符）",
        "character": "无法识别的字符 {char}",
        "expected": "此处应为 {expected}，实际为 {found}",
        "expression-too-long": "表达式太长",
        "too-deep": "嵌套层数太多（超过 {limit} 层）",
        "missing-operator": "这个数之前缺少运算符",
        "number-too-large": "数值太大",
        "ends-early": "答案不完整：缺少一个数或名称",
        "unexpected": "此处不应出现 {found}",
        "parentheses": "{name} 的参数需要写在括号里，例如 {name}(2)",
        "arity": "{name} 需要 {arity} 个参数，实际给了 {count} 个",
        "unknown-name": "未知的名称 {name}；这个答案可以使用 {known} 以及函数 {functions}",
        "empty": "答案为空",
        "row-start": "每一行应以 '[' 开始",
        "not-closed": "有一个 '[' 没有闭合",
        "entry-missing": "缺少一个元素",
        "the-end": "结尾",
    },
}


class ParseError(ValueError):
    """Text that is not a well-formed answer: a message code with its
    details, and the position at fault."""

    def __init__(self, code, text="", position=None, **details):
        self.code = code
        self.text = text
        self.position = position
        self.details = details
        super().__init__(self.message("en"))

    def message(self, lang="en"):
        words = MESSAGES.get(lang, MESSAGES["en"])
        details = {
            key: words["the-end"] if value == "<end>" else value
            for key, value in self.details.items()
        }
        return words[self.code].format(**details)

    def pointer(self):
        """The text with a caret under the position at fault."""
        if self.position is None or not self.text or len(self.text) > 200:
            return ""
        return f"{self.text}\n{' ' * self.position}^"


@dataclass(frozen=True)
class Token:
    kind: str  # "number", "name", "op", "end"
    text: str
    position: int
    spaced: bool  # preceded by white space


def normalise(text):
    """Fold what keyboards produce into the ASCII the grammar reads."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub("\u221a\\s*(\\d+(?:\\.\\d+)?|[A-Za-z])", r"sqrt(\1)", text)  # √2: sqrt(2)
    return "".join(REPLACEMENTS.get(ch, ch) for ch in text).strip()


def tokenize(text):
    """Tokens of ``text`` (already normalised); an ``end`` token closes them."""
    if len(text) > MAX_LENGTH:
        raise ParseError("too-long", limit=MAX_LENGTH)
    tokens, position, spaced = [], 0, False
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None:
            raise ParseError("character", text, position, char=repr(text[position]))
        kind = match.lastgroup
        if kind == "space":
            spaced = True
        else:
            tokens.append(Token(kind, match.group(), position, spaced))
            spaced = False
        position = match.end()
    tokens.append(Token("end", "", len(text), spaced))
    return tokens


class _Parser:
    """Recursive descent over one scalar expression.

    Precedence, loosest first: ``+ -``; ``* /`` and implicit multiplication
    (``2x``, ``x(1-x)``); unary minus; ``^`` (right-associative, so
    ``-x^2 = -(x^2)`` and ``e^-1`` works); a trailing ``%``.
    """

    def __init__(self, tokens, text, variables):
        self.tokens = tokens
        self.text = text
        self.variables = set(variables)
        self.index = 0
        self.depth = 0
        self.nodes = 0

    @property
    def token(self):
        return self.tokens[self.index]

    def fail(self, code, token=None, **details):
        raise ParseError(code, self.text, (token or self.token).position, **details)

    def take(self, text=None):
        token = self.token
        if text is not None and token.text != text:
            expected = "<end>" if text == "" else repr(text)
            found = "<end>" if token.kind == "end" else repr(token.text)
            self.fail("expected", expected=expected, found=found)
        self.index += 1
        return token

    def node(self, *parts):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail("expression-too-long")
        return parts

    def parse(self):
        tree = self.expression()
        self.take("")
        return tree

    def nested(self, method):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail("too-deep", limit=MAX_DEPTH)
        try:
            return method()
        finally:
            self.depth -= 1

    def expression(self):
        left = self.term()
        while self.token.text in ("+", "-"):
            op = "add" if self.take().text == "+" else "sub"
            left = self.node(op, left, self.term())
        return left

    def starts_operand(self, token):
        return token.kind in ("number", "name") or token.text == "("

    def term(self):
        left = self.unary()
        while True:
            if self.token.text in ("*", "/"):
                op = "mul" if self.take().text == "*" else "div"
                left = self.node(op, left, self.unary())
            elif self.token.kind == "number":
                self.fail("missing-operator")
            elif self.starts_operand(self.token):
                left = self.node("mul", left, self.power())
            else:
                return left

    def unary(self):
        if self.token.text in ("-", "+"):
            sign = self.take().text
            operand = self.nested(self.unary)
            return self.node("neg", operand) if sign == "-" else operand
        return self.power()

    def power(self):
        base = self.postfix()
        if self.token.text in ("^", "**"):
            self.take()
            return self.node("pow", base, self.nested(self.unary))
        return base

    def postfix(self):
        operand = self.atom()
        while self.token.text == "%":
            self.take()
            operand = self.node("div", operand, ("num", 100.0))
        return operand

    def atom(self):
        token = self.token
        if token.kind == "number":
            self.take()
            value = float(token.text)
            if not math.isfinite(value):
                self.fail("number-too-large", token)
            return self.node("num", value)
        if token.kind == "name":
            return self.name()
        if token.text == "(":
            self.take()
            inner = self.nested(self.expression)
            self.take(")")
            return inner
        if token.kind == "end":
            self.fail("ends-early")
        self.fail("unexpected", found=repr(token.text))

    def name(self):
        token = self.take()
        name = token.text
        if name in FUNCTIONS:
            if self.token.text != "(":
                self.fail("parentheses", name=name)
            self.take("(")
            args = [self.nested(self.expression)]
            while self.token.text == ",":
                self.take()
                args.append(self.nested(self.expression))
            self.take(")")
            arity = FUNCTIONS[name]
            if arity is not None and len(args) != arity:
                self.fail("arity", token, name=name, arity=arity, count=len(args))
            return self.node("call", name, tuple(args))
        if name in self.variables:
            return self.node("var", name)
        if name in CONSTANTS:
            return self.node("num", CONSTANTS[name])
        known = sorted(self.variables) + ["e", "pi"]
        raise ParseError(
            "unknown-name",
            self.text,
            token.position,
            name=repr(name),
            known=", ".join(known),
            functions=", ".join(FUNCTIONS),
        )


def parse(text, variables=()):
    """The syntax tree of one scalar expression in the given variables."""
    text = normalise(text)
    if not text:
        raise ParseError("empty")
    return _Parser(tokenize(text), text, variables).parse()


# --- arrays: [1, 2], 1 2, [[1, 2], [3, 4]], [1 2; 3 4] ----------------------


def _entries(tokens):
    """Split a row's tokens into entries: at commas, and at white space
    between two operands ('1 -2' is two entries, '1 - 2' is one), as in
    MATLAB."""
    entries, current, depth = [], [], 0
    for i, token in enumerate(tokens):
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        if depth == 0 and token.text == ",":
            entries.append(current)
            current = []
            continue
        if depth == 0 and current and token.spaced and _ends_operand(current[-1]):
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            sign_then_operand = (
                token.text in ("+", "-")
                and following is not None
                and not following.spaced
                and following.text not in (")", ",")
            )
            if token.kind in ("number", "name") or token.text == "(" or sign_then_operand:
                entries.append(current)
                current = []
        current.append(token)
    entries.append(current)
    return entries


def _ends_operand(token):
    return token.kind in ("number", "name") or token.text in (")", "%")


def _split(tokens, separator):
    groups, current, depth = [], [], 0
    for token in tokens:
        if token.text in ("(", "["):
            depth += 1
        elif token.text in (")", "]"):
            depth -= 1
        if depth == 0 and token.text == separator:
            groups.append(current)
            current = []
        else:
            current.append(token)
    groups.append(current)
    return groups


def _bracketed_groups(tokens, text):
    """``[a], [b]`` (commas or spaces between) as the lists of tokens inside."""
    groups, i = [], 0
    while i < len(tokens):
        if tokens[i].text == "," and groups:
            i += 1
            continue
        if tokens[i].text != "[":
            raise ParseError("row-start", text, tokens[i].position)
        depth, j = 1, i + 1
        while j < len(tokens) and depth:
            depth += (tokens[j].text == "[") - (tokens[j].text == "]")
            j += 1
        if depth:
            raise ParseError("not-closed", text, tokens[i].position)
        groups.append(tokens[i + 1 : j - 1])
        i = j
    return groups


def _enclosed(tokens, opening, closing):
    """Whether one pair of brackets encloses all the tokens."""
    if len(tokens) < 2 or tokens[0].text != opening or tokens[-1].text != closing:
        return False
    depth = 0
    for token in tokens[:-1]:
        depth += (token.text == opening) - (token.text == closing)
        if depth == 0:
            return False
    return True


def _parse_tokens(tokens, text, variables):
    if not tokens:
        raise ParseError("entry-missing", text)
    end = Token("end", "", tokens[-1].position + len(tokens[-1].text), False)
    return _Parser([*tokens, end], text, variables).parse()


def parse_array(text, variables=()):
    """Rows of syntax trees: a vector is one row (or one column), a matrix
    several rows of equal length. Rows are ``[a, b], [c, d]``, or separated by
    ``;`` or line breaks; entries by commas or spaces."""
    text = normalise(text).replace("\r\n", "\n")
    if not text:
        raise ParseError("empty")
    tokens = tokenize(text.replace("\n", ";"))[:-1]
    if _enclosed(tokens, "[", "]"):
        tokens = tokens[1:-1]
    elif _enclosed(tokens, "(", ")") and len(_split(tokens[1:-1], ",")) > 1:
        tokens = tokens[1:-1]  # "(1, 2)"; but "(1+2)" stays one entry
    if tokens and tokens[0].text == "[":
        rows = _bracketed_groups(tokens, text)
    else:
        rows = [row for row in _split(tokens, ";") if row] or [[]]
    return [[_parse_tokens(entry, text, variables) for entry in _entries(row)] for row in rows]


# --- evaluation ---------------------------------------------------------------


def _sigmoid(x):
    decay = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + decay), decay / (1.0 + decay))


NUMPY_FUNCTIONS = {
    "exp": np.exp,
    "ln": np.log,
    "log": np.log,
    "log2": np.log2,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
}


def evaluate(tree, values=None):
    """The value of a tree, with numpy arrays (or numbers) for the variables.

    Floating point throughout, so nothing can grow without bound: an
    overflow gives inf and an undefined operation nan, which callers treat as
    "not a finite value".
    """
    values = values or {}
    with np.errstate(all="ignore"):
        return _evaluate(tree, values)


def _evaluate(tree, values):
    kind = tree[0]
    if kind == "num":
        return np.float64(tree[1])
    if kind == "var":
        return values[tree[1]]
    if kind == "neg":
        return -_evaluate(tree[1], values)
    if kind == "call":
        args = [_evaluate(a, values) for a in tree[2]]
        if tree[1] == "max":
            return np.maximum.reduce(np.broadcast_arrays(*args)) if len(args) > 1 else args[0]
        if tree[1] == "min":
            return np.minimum.reduce(np.broadcast_arrays(*args)) if len(args) > 1 else args[0]
        return NUMPY_FUNCTIONS[tree[1]](args[0])
    left, right = _evaluate(tree[1], values), _evaluate(tree[2], values)
    if kind == "add":
        return left + right
    if kind == "sub":
        return left - right
    if kind == "mul":
        return left * right
    if kind == "div":
        return np.divide(left, right)
    return np.power(np.asarray(left, dtype=float), right)


def to_sympy(tree):
    """The tree as a sympy expression, built from sympy's constructors (no
    text is parsed), for display and the symbolic comparison."""
    import sympy

    kind = tree[0]
    if kind == "num":
        value = tree[1]
        if value == math.e:
            return sympy.E
        if value == math.pi:
            return sympy.pi
        return sympy.Integer(int(value)) if value.is_integer() else sympy.Rational(repr(value))
    if kind == "var":
        return sympy.Symbol(tree[1])
    if kind == "neg":
        return -to_sympy(tree[1])
    if kind == "call":
        args = [to_sympy(a) for a in tree[2]]
        name = tree[1]
        if name == "sigmoid":
            return 1 / (1 + sympy.exp(-args[0]))
        if name in ("max", "min"):
            return (sympy.Max if name == "max" else sympy.Min)(*args)
        if name == "log2":
            return sympy.log(args[0], 2)
        function = {"ln": sympy.log, "abs": sympy.Abs}.get(name) or getattr(sympy, name)
        return function(args[0])
    left, right = to_sympy(tree[1]), to_sympy(tree[2])
    return {
        "add": lambda: left + right,
        "sub": lambda: left - right,
        "mul": lambda: left * right,
        "div": lambda: left / right,
        "pow": lambda: left**right,
    }[kind]()


def largest_exponent(tree):
    """The largest constant exponent in the tree (a guard before symbolic work)."""
    if tree[0] in ("num", "var"):
        return 0.0
    children = tree[2] if tree[0] == "call" else tree[1:]
    own = abs(tree[2][1]) if tree[0] == "pow" and tree[2][0] == "num" else 0.0
    if tree[0] == "pow" and tree[2][0] != "num":
        own = math.inf  # a variable or computed exponent: no symbolic expansion
    return max([own, *(largest_exponent(c) for c in children)])
