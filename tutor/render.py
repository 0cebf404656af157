"""Pages and text: jinja2 templates with math typeset as MathML.

Math is converted to MathML on our side (latex2mathml), which browsers lay
out natively: a page needs no script, no web font and no network, prints as
it shows, and opens the same on an offline laptop years later.
"""

import re
from functools import cache, lru_cache

from markupsafe import Markup, escape

from . import __version__, figures, tex
from .problem import MATH_PIECES

UI = {
    "en": {
        "sheet": "Practice sheet",
        "exam": "Exam",
        "solutions": "Answer key and worked solutions",
        "exam_solutions": "Exam: answer key and worked solutions",
        "problem": "Problem",
        "points": "points",
        "point": "point",
        "name": "Name",
        "seed": "Seed",
        "answer": "Answer",
        "answers": "Answers",
        "steps": "Worked solution",
        "total": "Total",
        "kind": {
            "number": "a number",
            "integer": "a whole number",
            "vector": "a vector of {n}",
            "matrix": "a {r} × {c} matrix",
            "eigenvector": "unit vectors, {r} × {c}",
            "expression": "an expression in {variables}",
            "choice": "one of {options}",
        },
    },
    "zh": {
        "sheet": "练习题",
        "exam": "考试",
        "solutions": "答案与详细解答",
        "exam_solutions": "考试：答案与详细解答",
        "problem": "第 {n} 题",
        "points": "分",
        "point": "分",
        "name": "姓名",
        "seed": "随机种子",
        "answer": "答案",
        "answers": "答案",
        "steps": "解题步骤",
        "total": "总分",
        "kind": {
            "number": "一个数",
            "integer": "一个整数",
            "vector": "{n} 维向量",
            "matrix": "{r} × {c} 矩阵",
            "eigenvector": "单位向量，{r} × {c}",
            "expression": "关于 {variables} 的表达式",
            "choice": "选项之一：{options}",
        },
    },
}


@cache
def _converter():
    from latex2mathml.converter import convert

    return convert


# A matrix's brackets must grow with its rows. Stretching a bracket glyph
# needs a math font, which many machines lack, so the brackets of bmatrix and
# the bars of vmatrix are drawn with CSS around the table instead (see
# base.html): the same on every machine, on screen and in print.
FENCED_TABLE = re.compile(
    r'<mo stretchy="true" fence="true" form="prefix">(\[|&#x0007C;)</mo><mtable>(.*?)</mtable>'
    r'<mo stretchy="true" fence="true" form="postfix">(?:\]|&#x0007C;)</mo>',
    re.S,
)
MATRIX_CLASS = {"[": "bmatrix", "&#x0007C;": "vmatrix"}
FENCED = {
    r"\begin{bmatrix}": r"\left[\begin{matrix}",
    r"\end{bmatrix}": r"\end{matrix}\right]",
    r"\begin{vmatrix}": r"\left|\begin{matrix}",
    r"\end{vmatrix}": r"\end{matrix}\right|",
}
FENCE = re.compile("|".join(re.escape(k) for k in FENCED))


@lru_cache(maxsize=8192)
def math(latex, display=False):
    """LaTeX as a MathML element (cached: a sheet and its answer key show the
    same statements, and short pieces such as $D_1$ recur everywhere)."""
    latex = FENCE.sub(lambda m: FENCED[m.group(0)], latex)
    mathml = _converter()(latex, display="block" if display else "inline")
    while True:  # innermost tables first, so nested matrices work too
        mathml, replaced = FENCED_TABLE.subn(
            lambda m: f'<mtable class="{MATRIX_CLASS[m.group(1)]}">{m.group(2)}</mtable>', mathml
        )
        if not replaced:
            return Markup(mathml)


def rich(text):
    """Text with ``$...$`` and ``$$...$$`` math: the prose escaped, the math
    as MathML, line breaks kept."""
    pieces, last = [], 0
    for match in MATH_PIECES.finditer(text):
        pieces.append(escape(text[last : match.start()]))
        display, inline = match.groups()
        pieces.append(math(display if display is not None else inline, display is not None))
        last = match.end()
    pieces.append(escape(text[last:]))
    return Markup("".join(pieces)).replace("\n", Markup("<br>\n"))


def answer_latex(answer):
    """The right value of an answer part, as LaTeX."""
    if answer.kind == "expression":
        import sympy

        return sympy.latex(answer.expr)
    if answer.kind == "choice":
        return rf"\text{{{answer.correct}}}"
    if answer.kind == "integer":
        return str(int(answer.value))
    if answer.kind == "number":
        return tex.num(answer.value)
    if answer.kind == "vector":
        return tex.row(answer.value)
    return tex.matrix(answer.value)


def kind_hint(answer, lang):
    """What shape of answer a part expects, in words."""
    words = UI[lang]["kind"]
    shape = answer.shape()
    if answer.kind == "expression":
        return words["expression"].format(variables=", ".join(answer.variables))
    if answer.kind == "choice":
        return words["choice"].format(options=" / ".join(answer.options))
    if len(shape) == 1:
        return words["vector"].format(n=shape[0])
    if len(shape) == 2:
        return words[answer.kind].format(r=shape[0], c=shape[1])
    return words[answer.kind]


@cache
def environment():
    from importlib.resources import files

    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(files("tutor.templates"))),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["rich"] = rich
    env.filters["math"] = math
    env.filters["number"] = tex.plain
    env.globals.update(
        answer_latex=answer_latex,
        kind_hint=kind_hint,
        figure_of=figures.rendered,
        version=__version__,
    )
    return env


def render(template, lang, **context):
    """A page from ``templates/``, in the given language."""
    return environment().get_template(template).render(lang=lang, ui=UI[lang], **context)


def markdown(variant, lang):
    """A worked solution as Markdown, math kept as ``$...$`` LaTeX."""
    lines = [f"# {variant.problem.TITLE[lang]}", "", variant.statement[lang], ""]
    lines += [f"## {UI[lang]['answers']}", ""]
    for part in variant.solution.parts:
        lines.append(f"- {part.label[lang]}: ${answer_latex(part.answer)}$")
    lines += ["", f"## {UI[lang]['steps']}", ""]
    for number, step in enumerate(variant.solution.steps, 1):
        lines.append(f"{number}. {step.text[lang]}")
        if step.latex:
            lines += ["", f"   $${step.latex}$$"]
        lines.append("")
    return "\n".join(lines)
