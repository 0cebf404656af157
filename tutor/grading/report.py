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


def histogram(totals, maximum, bins=10):
    """Counts of totals in ``bins`` equal bins from 0 to the maximum."""
    counts = [0] * bins
    for total in totals:
        index = min(int(bins * total / maximum), bins - 1) if maximum else 0
        counts[max(index, 0)] += 1
    width = maximum / bins if maximum else 0
    return [(round(i * width, 2), round((i + 1) * width, 2), c) for i, c in enumerate(counts)]


def class_statistics(results, assignment, failures=None):
    """What the class summary shows: the distribution of totals, the mean of
    each task, and the tests most students failed. ``failures`` (name, taken,
    failed) comes from the gradebook when the results carry no tests."""
    totals = [r.score for r in results]
    means = {
        task.function: (
            sum(r.task_scores.get(task.function, 0) for r in results) / len(results)
            if results
            else 0.0,
            task.points,
        )
        for task in assignment.tasks
    }
    if failures is None:
        counts = {}
        for result in results:
            for test in result.tests:
                taken, failed = counts.get(test.name, (0, 0))
                counts[test.name] = (taken + 1, failed + (not test.passed))
        failures = [(name, taken, failed) for name, (taken, failed) in counts.items()]
    most_failed = sorted(
        ((name, failed / taken, failed, taken) for name, taken, failed in failures if failed),
        key=lambda item: (-item[1], item[0]),
    )
    return {
        "students": len(results),
        "mean": sum(totals) / len(totals) if totals else 0.0,
        "histogram": histogram(totals, assignment.points),
        "task_means": means,
        "most_failed": most_failed[:15],
    }


def summary_html(results, assignment, failures=None):
    from ..render import environment

    stats = class_statistics(results, assignment, failures)
    tallest = max((count for _, _, count in stats["histogram"]), default=0) or 1
    return (
        environment()
        .get_template("summary.html")
        .render(assignment=assignment, stats=stats, tallest=tallest, lang="en")
    )


def write_class(out_dir, results, assignment, failures=None):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "grades.csv").write_text(grades_csv(results, assignment), encoding="utf-8")
    summary = summary_html(results, assignment, failures)
    (out / "summary.html").write_text(summary, encoding="utf-8")
