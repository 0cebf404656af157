"""A corpus of (answer kind, typed text, expected verdict) rows: equivalent
forms, near misses at the tolerance edge, misconceptions, Chinese-keyboard
input, and hostile or broken input. Every row gets its expected status, no
exception escapes, and nothing executes."""

import math
import os

import numpy as np
import pytest

from tutor.answers import (
    Choice,
    Eigenvector,
    Expression,
    Integer,
    Matrix,
    Misconception,
    Number,
    Vector,
    check,
)

LN_MISTAKE = Misconception("natural-log", math.log(2), "You used ln.", "你用了自然对数。")
NO_PLUS_ONE = Misconception("missing-plus-one", 5, "You left out the +1.", "你漏了 +1。")
NO_FLOOR = Misconception("no-floor", 17 / 3 + 1, "Round down.", "应向下取整。")
DIVIDES_BY_N = Misconception("divides-by-n", [[2 / 3, 1 / 3], [1 / 3, 2 / 3]], "n − 1!", "n − 1！")
NO_INNER = Misconception("missing-inner-derivative", "sigmoid(2*x)*(1-sigmoid(2*x))", "w", "w")
HALF_ORDER = Misconception("ascending-order", [1, 3], "Order.", "顺序。", score=0.5)

NO_BIAS_COLUMN = Misconception(
    "no-bias-column", [2.5], "You left out the column of ones.", "你漏掉了全为 1 的那一列。"
)
NO_PADDING = Misconception("no-padding", [[7.0]], "You forgot the padding.", "你忘了补零。")

SPECS = {
    "eighth": Number(0.125),
    "third": Number(1 / 3, rtol=1e-3),
    "small": Number(-0.035, rtol=1e-2),
    "percent": Number(0.197),
    "ln2/2": Number(math.log(2) / 2),
    "1/e": Number(math.exp(-1)),
    "sqrt2/2": Number(math.sqrt(2) / 2),
    "bits": Number(1.0, rtol=1e-2, atol=1e-3, misconceptions=(LN_MISTAKE,)),
    "big": Number(12345.0, rtol=1e-3),
    "size": Integer(6, misconceptions=(NO_PLUS_ONE, NO_FLOOR)),
    "vector": Vector([1.0, 2.0]),
    "eigenvalues": Vector([3.0, 1.0], misconceptions=(HALF_ORDER,)),
    "matrix": Matrix([[1.0, 2.0], [3.0, 4.0]]),
    "covariance": Matrix([[1.0, 0.5], [0.5, 1.0]], misconceptions=(DIVIDES_BY_N,)),
    # Forgetting the bias column gives one weight, not two.
    "weights": Vector([1.0, 2.0], misconceptions=(NO_BIAS_COLUMN,)),
    "pooled": Matrix([[4.0, 6.0], [8.0, 9.0]], misconceptions=(NO_PADDING,)),
    "axis": Eigenvector([0.6, 0.8]),
    "axes": Eigenvector([[0.6, 0.8], [0.8, -0.6]]),
    "quadratic": Expression("x*(1-x)", ["x"]),
    "sigmoid'": Expression("2*sigmoid(2*x)*(1-sigmoid(2*x))", ["x"], misconceptions=(NO_INNER,)),
    "log": Expression("ln(x)", ["x"], domain={"x": (0.1, 5.0)}),
    "two-vars": Expression("w*x + b", ["w", "x", "b"]),
    "critical": Choice(("minimum", "maximum", "saddle"), "saddle"),
}

C, I, X = "correct", "incorrect", "invalid"

CORPUS = [
    # --- equivalent forms of numbers -------------------------------------
    ("eighth", "0.125", C),
    ("eighth", "1/8", C),
    ("eighth", ".125", C),
    ("eighth", "12.5%", C),
    ("eighth", "1.25e-1", C),
    ("eighth", "0.5^3", C),
    ("eighth", "2^-3", C),
    ("eighth", "2**-3", C),
    ("eighth", "(1/2)^3", C),
    ("eighth", " 0.125 ", C),
    ("eighth", "+0.125", C),
    ("eighth", "0,125", C),
    ("eighth", "0.126", C),
    ("eighth", "0.1262", C),
    ("third", "1/3", C),
    ("third", "0.3333", C),
    ("third", "0.333", C),
    ("third", "2/6", C),
    ("small", "-3.5e-2", C),
    ("small", "-0.035", C),
    ("small", "−0.035", C),
    ("small", "-3.5%", C),
    ("small", "-7/200", C),
    ("percent", "0.197", C),
    ("percent", "19.7%", C),
    ("percent", "19.7 %", C),
    ("ln2/2", "ln(2)/2", C),
    ("ln2/2", "log(2)/2", C),
    ("ln2/2", "0.3466", C),
    ("ln2/2", "ln(sqrt(2))", C),
    ("1/e", "e^-1", C),
    ("1/e", "exp(-1)", C),
    ("1/e", "1/e", C),
    ("1/e", "e^(-1)", C),
    ("1/e", "0.368", C),
    ("sqrt2/2", "sqrt(2)/2", C),
    ("sqrt2/2", "1/sqrt(2)", C),
    ("sqrt2/2", "√2/2", C),
    ("sqrt2/2", "2^(-1/2)", C),
    ("sqrt2/2", "sin(pi/4)", C),
    ("sqrt2/2", "cos(π/4)", C),
    ("bits", "1", C),
    ("bits", "log2(2)", C),
    ("bits", "1.0", C),
    ("bits", "-(0.5*log2(0.5) + 0.5*log2(0.5))", C),
    ("big", "12345", C),
    ("big", "1.2345e4", C),
    ("big", "12350", C),
    # --- Chinese keyboard: full-width digits and punctuation --------------
    ("eighth", "０．１２５", C),
    ("eighth", "１／８", C),
    ("eighth", "（１／２）＾３", C),
    ("eighth", "0，125", C),
    ("small", "－０.０３５", C),
    ("percent", "１９.７％", C),
    ("vector", "［1，2］", C),
    ("vector", "【1，2】", C),
    ("vector", "(1，2)", C),
    ("matrix", "[1 2；3 4]", C),
    ("quadratic", "x×(1−x)", C),
    ("quadratic", "x·(1 − x)", C),
    ("sqrt2/2", "√２/２", C),
    # --- near misses at the tolerance edge ---------------------------------
    ("eighth", "0.12", I),
    ("eighth", "0.13", I),
    ("eighth", "0.1", I),
    ("eighth", "0.1238", C),
    ("eighth", "0.1236", I),
    ("third", "0.33", I),
    ("third", "0.3", I),
    ("third", "0.3336", C),
    ("third", "0.334", I),
    ("percent", "0.2", I),
    ("percent", "19.7", I),
    ("big", "12357", C),
    ("big", "12400", I),
    ("bits", "0.99", C),
    ("bits", "0.98", I),
    ("size", "6", C),
    ("size", "6.0", C),
    ("size", "12/2", C),
    ("size", "7", I),
    ("size", "6.01", I),
    # --- misconceptions ------------------------------------------------------
    ("bits", "0.693", I, "natural-log"),
    ("bits", "ln(2)", I, "natural-log"),
    ("bits", "0.69", I, "natural-log"),
    ("size", "5", I, "missing-plus-one"),
    ("size", "6.667", I, "no-floor"),
    ("size", "20/3", I, "no-floor"),
    ("covariance", "[[2/3, 1/3], [1/3, 2/3]]", I, "divides-by-n"),
    ("covariance", "[0.667 0.333; 0.333 0.667]", I, "divides-by-n"),
    ("covariance", "[1 0.5; 0.5 1]", C),
    ("eigenvalues", "[1, 3]", I, "ascending-order"),
    ("eigenvalues", "3 1", C),
    ("sigmoid'", "sigmoid(2x)(1-sigmoid(2x))", I, "missing-inner-derivative"),
    ("sigmoid'", "2 sigmoid(2x) (1 - sigmoid(2x))", C),
    ("sigmoid'", "2*exp(-2*x)/(1+exp(-2*x))^2", C),
    ("axis", "[3, 4]", I, "not-normalised"),
    ("axis", "[-6, -8]", I, "not-normalised"),
    # --- vectors and matrices ---------------------------------------------
    ("vector", "[1, 2]", C),
    ("vector", "1 2", C),
    ("vector", "1, 2", C),
    ("vector", "(1, 2)", C),
    ("vector", "[1; 2]", C),
    ("vector", "[1 2]", C),
    ("vector", "[2/2, 4/2]", C),
    ("vector", "[1 -2]", I),
    ("vector", "[1 - 2]", X),
    ("vector", "[2, 1]", I),
    ("vector", "[1, 2, 3]", X),
    ("vector", "[1]", X),
    ("vector", "[[1, 2], [3, 4]]", X),
    ("vector", "[1, 2", X),
    ("vector", "[1, 2]]", X),
    ("vector", "[]", X),
    ("vector", "[1,, 2]", X),
    ("vector", "[1, x]", X),
    ("matrix", "[[1,2],[3,4]]", C),
    ("matrix", "[1 2; 3 4]", C),
    ("matrix", "[[1, 2], [3, 4]]", C),
    ("matrix", "[1, 2; 3, 4]", C),
    ("matrix", "1 2\n3 4", C),
    ("matrix", "[[1,2],[3,4.01]]", C),
    ("matrix", "[[1,3],[2,4]]", I),
    ("matrix", "[[1,2,3],[4,5,6]]", X),
    ("matrix", "[[1,2],[3]]", X),
    ("matrix", "[1 2 3 4]", X),
    ("matrix", "[[1,2],[3,4],[5,6]]", X),
    ("axis", "[0.6, 0.8]", C),
    ("axis", "[-0.6, -0.8]", C),
    ("axis", "0.6 0.8", C),
    ("axis", "[0.8, 0.6]", I),
    ("axis", "[0.6, -0.8]", I),
    ("axes", "[[0.6, 0.8], [-0.8, 0.6]]", C),
    ("axes", "[[-0.6, -0.8], [0.8, -0.6]]", C),
    ("axes", "[[0.8, -0.6], [0.6, 0.8]]", I),
    # --- expressions ---------------------------------------------------------
    ("quadratic", "x*(1-x)", C),
    ("quadratic", "x(1-x)", C),
    ("quadratic", "x - x^2", C),
    ("quadratic", "x - x**2", C),
    ("quadratic", "-x^2 + x", C),
    ("quadratic", "x(1 - x)", C),
    ("quadratic", "(1-x)x", C),
    ("quadratic", "x - x*x", C),
    ("quadratic", "1/4 - (x - 1/2)^2", C),
    ("quadratic", "x + x^2", I),
    ("quadratic", "x^2 - x", I),
    ("quadratic", "x", I),
    ("quadratic", "0", I),
    ("quadratic", "y(1-y)", X),
    ("quadratic", "x(1-x", X),
    ("quadratic", "x*(1-x))", X),
    ("quadratic", "sin x", X),
    ("quadratic", "x^", X),
    ("quadratic", "2 3", X),
    ("log", "ln(x)", C),
    ("log", "log(x)", C),
    ("log", "2 ln(sqrt(x))", C),
    ("log", "log2(x)*ln(2)", C),
    ("log", "log2(x)", I),
    ("two-vars", "b + w x", C),
    ("two-vars", "x w + b", C),
    ("two-vars", "w(x + b)", I),
    ("two-vars", "wx + b", X),
    ("sigmoid'", "2 exp(-2x)/(1+exp(-2x))^2", C),
    ("sigmoid'", "2 sigmoid(2x) - 2 sigmoid(2x)^2", C),
    ("sigmoid'", "sigmoid(2x)", I),
    # --- mistakes that change the shape ----------------------------------------
    ("weights", "2.5", I, "no-bias-column"),
    ("weights", "[2.5]", I, "no-bias-column"),
    ("weights", "[1; 2]", C),
    ("weights", "3", X),
    ("weights", "[1, 2, 3]", X),
    ("pooled", "[[7]]", I, "no-padding"),
    ("pooled", "7", I, "no-padding"),
    ("pooled", "[[6]]", X),
    # --- choices -------------------------------------------------------------
    ("critical", "saddle", C),
    ("critical", "Saddle", C),
    ("critical", "C", C),
    ("critical", "c)", C),
    ("critical", "3", C),
    ("critical", '"saddle"', C),
    ("critical", "「saddle」", C),
    ("critical", "'minimum'", I),
    ("critical", "minimum", I),
    ("critical", "A", I),
    ("critical", "saddle point?", X),
    ("critical", "", X),
    # --- hostile or broken input ------------------------------------------
    ("eighth", "__import__('os')", X),
    ("eighth", "__import__('os').system('touch /tmp/tutor-pwned')", X),
    ("eighth", "().__class__", X),
    ("eighth", "().__class__.__bases__[0].__subclasses__()", X),
    ("eighth", "lambda: 0", X),
    ("eighth", "x.__dict__", X),
    ("eighth", "open('/etc/passwd').read()", X),
    ("eighth", "exec('1')", X),
    ("eighth", "eval('1')", X),
    ("eighth", "Symbol('x')", X),
    ("eighth", "sympify('1/8')", X),
    ("eighth", "9^9^9^9", X),
    ("eighth", "9**9**9**9", X),
    ("eighth", "1e999", X),
    ("eighth", "-1e999", X),
    ("eighth", "10^400", X),
    ("eighth", "0/0", X),
    ("eighth", "1/0", X),
    ("eighth", "ln(0)", X),
    ("eighth", "sqrt(-1)", X),
    ("eighth", "1" * 10_000, X),
    ("eighth", "(" * 1000 + "1" + ")" * 1000, X),
    ("eighth", "(" * 100 + "1/8" + ")" * 100, X),
    ("eighth", "-" * 500 + "1", X),
    ("eighth", "\x00", X),
    ("eighth", "0.125\x00", X),
    ("eighth", "", X),
    ("eighth", "   ", X),
    ("eighth", "\n", X),
    ("eighth", "one eighth", X),
    ("eighth", "1/8 + ", X),
    ("eighth", "()", X),
    ("eighth", "[0.125]", X),
    ("eighth", "0.125; 1", X),
    ("eighth", "\u202e0.125", X),
    ("eighth", "🙂", X),
    ("quadratic", "(x+1)^100000", I),
    ("quadratic", "x^x^x^x^x^x", I),
    ("quadratic", "exp(exp(exp(x)))", I),
    ("quadratic", "__import__('os')", X),
    ("quadratic", "x" * 10_000, X),
    ("quadratic", "x" + "*x" * 600, X),
    ("matrix", "[[" * 500 + "]]" * 500, X),
    ("vector", "[1, 2]" * 2000, X),
    ("size", "1e999", X),
    ("size", "six", X),
    ("axis", "[0, 0]", I),
]


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 150


@pytest.mark.parametrize("row", CORPUS, ids=lambda row: f"{row[0]}:{row[1][:30]!r}")
def test_every_row_gets_its_expected_verdict(row):
    spec_name, text, status, *tag = row
    verdict = check(SPECS[spec_name], text)
    assert verdict.status == status, verdict
    if tag:
        assert verdict.misconception == tag[0], verdict
    assert verdict.feedback
    assert 0.0 <= verdict.score <= 1.0
    assert (verdict.score == 1.0) == (status == "correct")


def test_no_hostile_row_executes_anything(tmp_path):
    marker = "/tmp/tutor-pwned"
    if os.path.exists(marker):
        os.remove(marker)
    for spec_name, text, *_ in CORPUS:
        check(SPECS[spec_name], text)
    assert not os.path.exists(marker)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_feedback_speaks_the_language(lang):
    verdict = check(SPECS["bits"], "0.693", lang)
    assert verdict.feedback == LN_MISTAKE.feedback(lang)
    invalid = check(SPECS["vector"], "[1, 2, 3]", lang)
    assert ("向量" in invalid.feedback) == (lang == "zh")


def test_invalid_answers_point_at_the_mistake():
    verdict = check(SPECS["quadratic"], "x*(1-x))")
    assert verdict.status == "invalid"
    assert verdict.feedback.splitlines()[-1] == " " * 7 + "^"


def test_a_rounded_answer_gets_the_precision_note():
    verdict = check(Number(0.125), "0.12")
    assert verdict.status == "incorrect"
    assert "significant digit" in verdict.feedback
    assert "significant" not in check(Number(0.125), "0.3").feedback


def test_check_never_raises_on_random_bytes():
    rng = np.random.default_rng(0)
    alphabet = list("0123456789.+-*/^()[],; xe%eπ√ＸＸ（）") + ["**", "sqrt(", "ln(", "\x00"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet, size=int(rng.integers(0, 25))))
        for spec in SPECS.values():
            assert check(spec, text).status in ("correct", "incorrect", "invalid")
