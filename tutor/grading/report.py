"""What grading writes: per student a results.json in Gradescope's
autograder format and a feedback.html, and a grades.csv for the class."""

import csv
import io
import json
from pathlib import Path

from .. import __version__


def gradescope(result, assignment):
    """A results.json as Gradescope's autograder specification describes it."""
    return {
        "score": result.score,
        "output": "\n".join(result.problems),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": test.name,
                "score": test.score,
                "max_score": test.max_score,
                "status": "passed" if test.passed else "failed",
                "output": test.output,
                "visibility": test.visibility,
            }
            for test in result.tests
        ],
        "extra_data": {
            "tool": "tutor",
            "version": __version__,
            "assignment": assignment.name,
            "seed": assignment.seed,
            "isolation": result.isolation,
            "student": result.student,
        },
    }


def grades_csv(results, assignment):
    functions = [task.function for task in assignment.tasks]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *functions, "total", "max", "isolation", "problems"])
    for result in results:
        writer.writerow(
            [
                result.student,
                *(f"{result.task_scores.get(f, 0):g}" for f in functions),
                f"{result.score:g}",
                f"{assignment.points:g}",
                result.isolation,
                " | ".join(result.problems),
            ]
        )
    return buffer.getvalue()


def feedback_html(result, assignment):
    from ..render import environment

    by_task = []
    for task in assignment.tasks:
        tests = [t for t in result.tests if t.task == task.function]
        by_task.append((task, tests, result.task_scores.get(task.function, 0)))
    return (
        environment()
        .get_template("feedback.html")
        .render(result=result, assignment=assignment, by_task=by_task, lang="en")
    )


def write_student(out_dir, result, assignment):
    folder = Path(out_dir) / result.student
    folder.mkdir(parents=True, exist_ok=True)
    data = json.dumps(gradescope(result, assignment), indent=2, ensure_ascii=False, allow_nan=False)
    (folder / "results.json").write_text(data + "\n", encoding="utf-8")
    (folder / "feedback.html").write_text(feedback_html(result, assignment), encoding="utf-8")


def table(results, assignment):
    """A plain-text table: student, per-task score, total."""
    functions = [task.function for task in assignment.tasks]
    headers = ["student", *functions, "total"]
    rows = [
        [
            r.student,
            *(f"{r.task_scores.get(f, 0):g}" for f in functions),
            f"{r.score:g}/{assignment.points:g}",
        ]
        for r in results
    ]
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip()
        for row in [headers, *rows]
    ]
    return "\n".join(lines)
