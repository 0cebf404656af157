"""Assignments: which reference functions students implement, for how many
points, with how many random cases, what tolerance and what limits.

Built-in assignments live in ``assignments/*.toml`` beside this module;
instructors write their own in the same format and pass the file's path.
"""

import tomllib
from dataclasses import dataclass
from functools import cached_property
from importlib.resources import files
from pathlib import Path

import numpy as np

from . import classical_tasks, deep_tasks, tasks
from .sandbox import Limits

# Every gradable function, by name, across the built-in assignments' chapters.
TASK_KINDS = tasks.TASK_KINDS | classical_tasks.TASK_KINDS | deep_tasks.TASK_KINDS

TASK_KEYS = {
    "function",
    "points",
    "visibility",
    "cases",
    "rtol",
    "atol",
    "case_seconds",
    "memory_mb",
}
TOP_KEYS = {"name", "title", "seed", "defaults", "tasks"}


class BadAssignment(ValueError):
    """An assignment file that cannot be used, with a one-line reason."""


@dataclass(frozen=True)
class Task:
    index: int
    function: str
    points: float
    visibility: str
    count: int
    tolerance: dict
    limits: Limits
    seed: int

    @property
    def kind(self):
        return TASK_KINDS[self.function]

    @cached_property
    def cases(self):
        """The task's cases, drawn from the assignment seed and the task's place."""
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, self.index]))
        return self.kind.draw(rng, self.count, self.tolerance)


@dataclass(frozen=True)
class Assignment:
    name: str
    title: str
    seed: int
    tasks: tuple
    source: str  # the TOML text, for the gradebook's hash

    @property
    def points(self):
        return sum(task.points for task in self.tasks)


def builtin_names():
    folder = files("tutor.grading") / "assignments"
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load(name_or_path):
    """A built-in assignment by name, or an instructor's TOML file by path."""
    path = Path(name_or_path)
    if name_or_path in builtin_names():
        text = (files("tutor.grading") / "assignments" / f"{name_or_path}.toml").read_text("utf-8")
        where = name_or_path
    elif path.suffix == ".toml" or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise BadAssignment(f"{path}: cannot read it ({error})") from None
        where = str(path)
    else:
        raise BadAssignment(
            f"no assignment {name_or_path!r}: built-in ones are {', '.join(builtin_names())}, "
            "or give the path of a .toml file"
        )
    return parse(text, where)


def parse(text, where="assignment"):
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BadAssignment(f"{where}: not valid TOML: {error}") from None
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise BadAssignment(f"{where}: unknown key {sorted(unknown)[0]!r}")
    name = data.get("name") or Path(where).stem
    seed = data.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise BadAssignment(f"{where}: seed must be a non-negative whole number")
    defaults = data.get("defaults", {})
    tasks_data = data.get("tasks")
    if not isinstance(defaults, dict) or not isinstance(tasks_data, list) or not tasks_data:
        raise BadAssignment(f"{where}: needs a [[tasks]] table for each task")
    tasks = []
    for index, entry in enumerate(tasks_data):
        if not isinstance(entry, dict):
            raise BadAssignment(f"{where}: task {index + 1} must be a table")
        tasks.append(_task(index, {**defaults, **entry}, seed, f"{where}: task {index + 1}"))
    functions = [t.function for t in tasks]
    if len(set(functions)) != len(functions):
        raise BadAssignment(f"{where}: a function is listed twice")
    return Assignment(str(name), str(data.get("title", name)), seed, tuple(tasks), text)


def _number(entry, key, default, where, low, high, integer=False):
    value = entry.get(key, default)
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        kind = "a whole number" if integer else "a number"
        raise BadAssignment(f"{where}: {key} must be {kind} between {low} and {high}")
    return value


def _task(index, entry, seed, where):
    unknown = set(entry) - TASK_KEYS
    if unknown:
        raise BadAssignment(f"{where}: unknown key {sorted(unknown)[0]!r}")
    function = entry.get("function")
    if function not in TASK_KINDS:
        raise BadAssignment(
            f"{where}: function must be one of {', '.join(sorted(TASK_KINDS))}, got {function!r}"
        )
    kind = TASK_KINDS[function]
    visibility = entry.get("visibility", "visible")
    if visibility not in ("visible", "hidden"):
        raise BadAssignment(f"{where}: visibility must be 'visible' or 'hidden'")
    case_seconds = _number(entry, "case_seconds", 10, where, 0.1, 600)
    memory_mb = _number(entry, "memory_mb", 1536, where, 256, 16384, integer=True)
    count = _number(entry, "cases", kind.default_cases, where, 1, 1000, integer=True)
    limits = Limits(
        case_seconds=case_seconds,
        wall_seconds=case_seconds * 4 + 30,
        cpu_seconds=int(case_seconds * 4 + 30),
        memory_bytes=memory_mb * 2**20,
    )
    tolerance = {
        "rtol": _number(entry, "rtol", kind.tolerance["rtol"], where, 0, 1),
        "atol": _number(entry, "atol", kind.tolerance["atol"], where, 0, 1e6),
    }
    points = _number(entry, "points", 10, where, 0, 1e6)
    return Task(index, function, points, visibility, count, tolerance, limits, seed)
