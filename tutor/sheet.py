"""Variants and practice sheets: which problems, which seeds, and the files
a sheet is written as."""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import __version__, registry


@dataclass(frozen=True)
class Variant:
    """One instance of a problem type, solved."""

    slot: int
    problem: object
    seed: int | None
    difficulty: int
    params: dict
    solution: object
    statement: dict

    @property
    def points(self):
        return sum(part.points for part in self.solution.parts)


def build_variant(problem_id, seed=None, difficulty=2, params=None, slot=1):
    """Solve the variant (problem id, seed), or the given parameters.

    Raises ``registry.UnknownProblem`` or ``ParameterError`` for bad input.
    """
    problem = registry.get(problem_id)
    if params is None:
        params = registry.generate(problem_id, seed, difficulty)
    solution = problem.solve(params)
    return Variant(slot, problem, seed, difficulty, params, solution, problem.statement(params))


def choose_problems(ids, count, sheet_seed):
    """The problem id of every slot: each requested id in turn (all types when
    none is requested), in an order shuffled by the sheet seed, so that a
    sheet of any length is balanced across them."""
    ids = list(dict.fromkeys(ids)) or list(registry.problem_types())
    count = len(ids) if count is None else count
    order = np.random.default_rng(np.random.SeedSequence([int(sheet_seed), 0])).permutation(ids)
    return [str(order[i % len(order)]) for i in range(count)]


def choose_exam(ids, per_chapter, sheet_seed):
    """The problem ids of an exam: ``per_chapter`` problems from every chapter
    (of those ``ids`` fall in, or all), chapter by chapter in teaching order,
    different types within a chapter as long as it has enough."""
    pool = set(ids or registry.problem_types())
    chosen = []
    for chapter, types in registry.chapters().items():
        types = [t for t in types if t in pool]
        if not types:
            continue
        # Seeded by the chapter's name, so adding a chapter changes no other draw.
        name = int.from_bytes(chapter.encode("utf-8"), "big")
        rng = np.random.default_rng(np.random.SeedSequence([int(sheet_seed), 1, name]))
        order = rng.permutation(types)
        chosen += [str(order[i % len(order)]) for i in range(per_chapter)]
    return chosen


def make_sheet(ids, count, sheet_seed, difficulty=2, exam_per_chapter=None):
    """The variants of a sheet, or of an exam when ``exam_per_chapter`` is set;
    slot k's seed derives from the sheet seed and k."""
    if exam_per_chapter:
        chosen = choose_exam(ids, exam_per_chapter, sheet_seed)
    else:
        chosen = choose_problems(ids, count, sheet_seed)
    return [
        build_variant(problem_id, registry.variant_seed(sheet_seed, slot), difficulty, slot=slot)
        for slot, problem_id in enumerate(chosen, 1)
    ]


def part_spec(part, lang):
    """What sheet.json says of an answer part: no value, no misconception."""
    return {
        "name": part.name,
        "label": part.label[lang],
        "kind": part.answer.kind,
        "shape": list(part.answer.shape()),
        "points": part.points,
    }


def sheet_json(variants, sheet_seed, lang, difficulty, exam=False):
    return {
        "tool": "tutor",
        "version": __version__,
        "kind": "exam" if exam else "practice",
        "seed": sheet_seed,
        "lang": lang,
        "difficulty": difficulty,
        "problems": [
            {
                "slot": v.slot,
                "id": v.problem.ID,
                "seed": v.seed,
                "params": v.params,
                "parts": [part_spec(part, lang) for part in v.solution.parts],
            }
            for v in variants
        ],
    }


ANSWERS_HEADER = {
    "en": (
        "# Your answers to the sheet in this folder (seed {seed}).\n"
        "# Write each answer between the quotes: a number (0.25, 1/4, ln(2)/2),\n"
        "# a vector [1, 2] or a matrix [[1, 2], [3, 4]]. Leave a part empty to skip it.\n"
        "# Then run: tutor check sheet.json answers.toml\n"
    ),
    "zh": (
        "# 本文件夹中练习题的答案（随机种子 {seed}）。\n"
        "# 把答案写在引号之间：数（0.25、1/4、ln(2)/2）、向量 [1, 2] 或矩阵 [[1, 2], [3, 4]]。\n"
        "# 不作答的部分留空即可。\n"
        "# 然后运行：tutor check sheet.json answers.toml\n"
    ),
}


def answers_toml(variants, sheet_seed, lang):
    """A blank answer file: one table per problem, one empty string per part."""
    lines = [ANSWERS_HEADER[lang].format(seed=sheet_seed)]
    for v in variants:
        lines.append(f"[problem-{v.slot}]")
        lines.append(f"# {v.problem.ID}: {v.problem.TITLE[lang]}")
        lines += [f'{part.name} = ""' for part in v.solution.parts]
        lines.append("")
    return "\n".join(lines)


def write_sheet(out_dir, variants, sheet_seed, lang, difficulty, exam=False, figures=True):
    """Write sheet.html, solutions.html (with figures unless told not to),
    sheet.json and answers.toml."""
    from .render import render

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    context = {"variants": variants, "seed": sheet_seed, "exam": exam}
    files = {
        "sheet.html": render("sheet.html", lang, **context),
        "solutions.html": render("solutions.html", lang, **context, figures=figures),
        "sheet.json": json.dumps(
            sheet_json(variants, sheet_seed, lang, difficulty, exam), ensure_ascii=False, indent=2
        )
        + "\n",
        "answers.toml": answers_toml(variants, sheet_seed, lang),
    }
    for name, content in files.items():
        (out / name).write_text(content, encoding="utf-8")
    return [out / name for name in files]
