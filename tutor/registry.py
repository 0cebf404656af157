"""Finds the problem types and derives the seeds of their variants.

Every module of ``tutor.problems`` that defines ``ID`` is a problem type: adding
a type is adding a module, with no edit here.
"""

import importlib
import pkgutil
from functools import cache

import numpy as np

from . import problems as _problems_package

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
        found[module.ID] = module
    return dict(sorted(found.items()))


def get(problem_id):
    """The problem type with this id."""
    types = problem_types()
    if problem_id not in types:
        raise UnknownProblem(f"unknown problem type {problem_id!r}; known: {', '.join(types)}")
    return types[problem_id]


def variant_seed(sheet_seed, slot, student=None):
    """The seed of one variant, derived from the sheet seed, the slot and, for
    per-student variants, the student id; never from global random state."""
    entropy = [int(sheet_seed), int(slot)]
    if student is not None:
        entropy.append(int.from_bytes(str(student).encode("utf-8"), "big"))
    return int(np.random.SeedSequence(entropy).generate_state(1, np.uint32)[0])


def generate(problem_id, seed, difficulty=2):
    """The parameters of the variant (problem id, seed)."""
    return get(problem_id).generate(np.random.default_rng(seed), difficulty)
