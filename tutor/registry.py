"""Finds the problem types, groups them by chapter, and derives the seeds of
their variants.

Every module of ``tutor.problems`` that defines ``ID`` is a problem type: adding
a type is adding a module, with no edit here. Its ``TOPIC`` names one of the
course's chapters below. It may declare ``OPTIONAL``, the parameters that can be
left out (null): an extra question, or one of two ways to give the input.
"""

import importlib
import pkgutil
from functools import cache

import numpy as np

from . import problems as _problems_package
from .problem import text

# The course's chapters, in teaching order: an exam draws from each.
CHAPTERS = {
    "regression": text("Regression and gradient descent", "回归与梯度下降"),
    "training": text("Optimisation and training", "优化与训练"),
    "classification": text("Linear classifiers", "线性分类器"),
    "classical-models": text("Bayes, neighbours and decision trees", "贝叶斯、近邻与决策树"),
    "neural-networks": text("Neural networks", "神经网络"),
    "cnn": text("Convolutional networks", "卷积神经网络"),
    "unsupervised": text("Unsupervised learning", "无监督学习"),
    "sequence-models": text("Language models and attention", "语言模型与注意力"),
    "generative": text("Generative models", "生成模型"),
    "reinforcement-learning": text("Reinforcement learning", "强化学习"),
}

REQUIRED = ("ID", "TOPIC", "TITLE", "PARAMETERS", "generate", "statement", "solve")


class UnknownProblem(LookupError):
    pass


@cache
def problem_types():
    """All problem types, by id, in id order."""
    found = {}
    for info in sorted(pkgutil.iter_modules(_problems_package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{_problems_package.__name__}.{info.name}")
        if not hasattr(module, "ID"):
            continue
        missing = [name for name in REQUIRED if not hasattr(module, name)]
        if missing:
            raise TypeError(f"problem module {info.name} lacks {', '.join(missing)}")
        if module.ID in found:
            raise TypeError(f"two problem modules have the id {module.ID!r}")
        if module.TOPIC not in CHAPTERS:
            raise TypeError(f"problem module {info.name} has an unknown chapter {module.TOPIC!r}")
        if not optional(module) <= set(module.PARAMETERS):
            raise TypeError(f"problem module {info.name} declares unknown optional parameters")
        found[module.ID] = module
    return dict(sorted(found.items()))


def optional(module):
    """The parameters a problem type can do without."""
    return frozenset(getattr(module, "OPTIONAL", ()))


def get(problem_id):
    """The problem type with this id."""
    types = problem_types()
    if problem_id not in types:
        raise UnknownProblem(f"unknown problem type {problem_id!r}; known: {', '.join(types)}")
    return types[problem_id]


def chapters():
    """The chapters that have problem types, in teaching order: chapter id →
    the ids of its types."""
    types = problem_types()
    grouped = {chapter: [] for chapter in CHAPTERS}
    for problem_id, module in types.items():
        grouped[module.TOPIC].append(problem_id)
    return {chapter: ids for chapter, ids in grouped.items() if ids}


def expand(names):
    """Problem ids for a mix of problem ids and chapter ids, in the order given,
    each once; UnknownProblem names the first that is neither."""
    types, grouped = problem_types(), chapters()
    ids = []
    for name in names:
        if name in types:
            ids.append(name)
        elif name in grouped:
            ids.extend(grouped[name])
        else:
            raise UnknownProblem(f"unknown problem type or chapter {name!r}")
    return list(dict.fromkeys(ids))


def variant_seed(sheet_seed, slot, student=None):
    """The seed of one variant, derived from the sheet seed, the slot and, for
    per-student variants, the student id; never from global random state."""
    entropy = [int(sheet_seed), int(slot)]
    if student is not None:
        entropy.append(int.from_bytes(str(student).encode("utf-8"), "big"))
    return int(np.random.SeedSequence(entropy).generate_state(1, np.uint32)[0])


def generate(problem_id, seed, difficulty=2):
    """The parameters of the variant (problem id, seed): every declared
    parameter, null for those the variant does not use, so that the variant
    given back whole (``explain --set``) is the same variant."""
    problem = get(problem_id)
    params = problem.generate(np.random.default_rng(seed), difficulty)
    return {name: params.get(name) for name in problem.PARAMETERS}
