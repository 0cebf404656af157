"""LaTeX for the numbers of worked solutions: short, exact where possible,
the same string for the same value every time."""

import numpy as np

DIGITS = 4


def num(x, digits=DIGITS):
    """A number as LaTeX with ``digits`` significant digits, trailing zeros
    dropped, ``-0`` shown as ``0`` and large or tiny magnitudes as powers of 10."""
    x = float(x)
    if x == 0 or abs(x) < 10.0 ** -(digits + 8):
        return "0"
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def plain(x, digits=DIGITS):
    """The same rounding as :func:`num`, as a plain string for prose."""
    return num(x, digits).replace(r" \times 10^{", "e").rstrip("}")


def signed(x, digits=DIGITS):
    """A term to append after another: ``+ 0.5`` or ``- 0.5``."""
    return f"- {num(-x, digits)}" if float(x) < 0 else f"+ {num(x, digits)}"


def paren(x, digits=DIGITS):
    """A number, in parentheses when negative (for products like 2·(−3))."""
    return rf"\left({num(x, digits)}\right)" if float(x) < 0 else num(x, digits)


def matrix(values, digits=DIGITS):
    """A 2-D array (or a 1-D array as a column) as a bmatrix."""
    array = np.asarray(values, dtype=float)
    if array.ndim == 1:
        array = array[:, None]
    rows = [" & ".join(num(v, digits) for v in row) for row in array]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def row(values, digits=DIGITS):
    """A 1-D array as a row vector."""
    return matrix(np.asarray(values, dtype=float)[None, :], digits)


def vector(values, digits=DIGITS):
    """A vector as a row, or as a plain number when it has one entry."""
    values = np.asarray(values, dtype=float)
    return num(values[0], digits) if values.size == 1 else row(values, digits)


def vector_factor(values, digits=DIGITS):
    """:func:`vector`, in parentheses when it is a negative number in a product."""
    values = np.asarray(values, dtype=float)
    return paren(values[0], digits) if values.size == 1 else row(values, digits)


def polynomial(coefficients, variable="x", digits=DIGITS):
    """A polynomial from its coefficients, highest power first, zero terms
    left out: ``[1, -2.62, 0.2028]`` gives ``x^{2} - 2.62 x + 0.2028``."""
    degree = len(coefficients) - 1
    terms = []
    for power, c in zip(range(degree, -1, -1), coefficients):
        c = float(c)
        if num(c, digits) == "0":
            continue
        magnitude = num(abs(c), digits)
        factor = {0: "", 1: variable}.get(power, f"{variable}^{{{power}}}")
        body = factor if magnitude == "1" and factor else f"{magnitude} {factor}".strip()
        if terms:
            terms.append(f"{'-' if c < 0 else '+'} {body}")
        else:
            terms.append(f"-{body}" if c < 0 else body)
    return " ".join(terms) or "0"
