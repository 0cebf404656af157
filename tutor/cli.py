"""The ``tutor`` command line: a thin layer over the engine.

Heavy imports (numpy, sympy, jinja2) happen inside the commands that need
them, so that ``tutor --help`` starts as fast as the bare interpreter.
Exit codes: 0 on success, 2 on bad usage or bad input (one line, no
traceback), 1 on an internal failure.
"""

import os
import sys

import click

from . import __version__

LANG = click.option(
    "--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Language."
)
DIFFICULTY = click.option(
    "--difficulty",
    type=click.IntRange(1, 3),
    default=2,
    show_default=True,
    help="1 easy, 2 standard, 3 harder (larger structures).",
)


class BadInput(click.UsageError):
    """Bad input from the user: one line on stderr, exit code 2."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tutor")
def cli():
    """Exam practice and auto-grading for machine-learning courses.

    \b
    Examples:
      tutor topics
      tutor sheet --seed 1 --out sheet
      tutor explain pca --set X='[[2.5,2.4],[0.4,0.7],[2.2,2.9]]'
    """


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@LANG
def topics(fmt, lang):
    """List the problem types by chapter, with their ids and parameters.

    A chapter id given to 'tutor sheet -t' stands for all its types.
    Optional parameters are shown in brackets.

    \b
    Example:
      tutor topics --format json
    """
    import json

    from . import registry

    types = registry.problem_types()
    grouped = registry.chapters()
    if fmt == "json":
        listing = [
            {
                "id": p.ID,
                "chapter": p.TOPIC,
                "chapter_title": registry.CHAPTERS[p.TOPIC],
                "title": p.TITLE,
                "parameters": [
                    {"name": n, "description": d, "optional": n in registry.optional(p)}
                    for n, d in p.PARAMETERS.items()
                ],
            }
            for chapter, ids in grouped.items()
            for p in (types[i] for i in ids)
        ]
        click.echo(json.dumps(listing, ensure_ascii=False, indent=2))
        return
    for chapter, ids in grouped.items():
        click.echo(f"{chapter} · {registry.CHAPTERS[chapter][lang]}")
        for p in (types[i] for i in ids):
            click.echo(f"  {p.ID:<22} {p.TITLE[lang]}")
            names = [f"[{n}]" if n in registry.optional(p) else n for n in p.PARAMETERS]
            click.echo(f"  {'':<22} parameters: {', '.join(names)}")


def _problem_ids(names):
    """Problem ids for the ids and chapter ids given with -t."""
    from . import registry

    try:
        return registry.expand(names)
    except registry.UnknownProblem as error:
        raise BadInput(f"{error}; see 'tutor topics'") from None


FIGURES = click.option(
    "--figures/--no-figures",
    default=True,
    show_default=True,
    help="Draw figures in the worked solutions (HTML only).",
)


def _fresh_seed():
    return int.from_bytes(os.urandom(4), "big") >> 1


@cli.command()
@click.option(
    "-t",
    "--type",
    "ids",
    multiple=True,
    metavar="ID",
    help="A problem type or a chapter (all its types); repeat for more.",
)
@click.option("-n", "--count", type=click.IntRange(1, 500), help="Number of problems.")
@click.option(
    "--exam",
    is_flag=True,
    help="Compose an exam: problems from every chapter, in teaching order, points shown.",
)
@click.option(
    "--per-chapter",
    type=click.IntRange(1, 20),
    default=1,
    show_default=True,
    help="With --exam: problems from each chapter.",
)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Sheet seed (default: random).")
@LANG
@DIFFICULTY
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default="sheet",
    show_default=True,
    help="Folder to write into.",
)
@FIGURES
def sheet(ids, count, exam, per_chapter, seed, lang, difficulty, out, figures):
    """Write a randomized practice sheet with its answer key.

    Writes sheet.html (for the student), solutions.html (answers and every
    worked step), sheet.json (the variants, without answers) and
    answers.toml (a blank answer file for 'tutor check'). Without -t, the
    sheet mixes all problem types evenly; -t takes problem ids and chapter
    ids (see 'tutor topics'). With --exam, it draws --per-chapter problems
    from every chapter (or from the chapters of the -t types), as a final
    exam covers the course.

    \b
    Examples:
      tutor sheet -t pca -t information-gain -n 4 --seed 7 --lang zh --out s
      tutor sheet -t classification -t regression --seed 7 --out s
      tutor sheet --exam --seed 2026 --out final
    """
    from .sheet import make_sheet, write_sheet

    ids = _problem_ids(ids)
    if exam and count is not None:
        raise BadInput("--count does not apply to --exam; use --per-chapter")
    if seed is None:
        seed = _fresh_seed()
    variants = make_sheet(ids, count, seed, difficulty, per_chapter if exam else None)
    written = write_sheet(out, variants, seed, lang, difficulty, exam, figures)
    click.echo(f"{len(variants)} problems, seed {seed}: " + ", ".join(str(p) for p in written))


def _parse_assignments(assignments, problem):
    import json

    values = {}
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        name = name.strip()
        if not sep or not name:
            raise BadInput(f"--set expects NAME=VALUE, got {assignment!r}")
        if name not in problem.PARAMETERS:
            raise BadInput(
                f"--set {name}: {problem.ID} has no parameter {name!r}; "
                f"its parameters: {', '.join(problem.PARAMETERS)}"
            )
        try:
            values[name] = json.loads(text)
        except json.JSONDecodeError as error:
            raise BadInput(
                f"--set {name}: not valid JSON ({error.msg} at column {error.colno})"
            ) from None
    return values


def explain_json(variant, lang):
    return {
        "problem": variant.problem.ID,
        "seed": variant.seed,
        "params": variant.params,
        "answers": variant.solution.answers(),
        "steps": [{"text": s.text[lang], "latex": s.latex} for s in variant.solution.steps],
    }


@cli.command()
@click.argument("problem_id", metavar="ID")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set a parameter to a JSON value; repeat for more. Unset ones are drawn at random, "
    "but optional ones ([name] in 'tutor topics') are left out unless --seed is given.",
)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Variant seed (default: random).")
@LANG
@DIFFICULTY
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md", "json"]),
    help="Output format (default: from the -o suffix, else md).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File.")
@FIGURES
def explain(problem_id, assignments, seed, lang, difficulty, fmt, output, figures):
    """Show the worked solution of one problem instance.

    The instance is random, or given with --set, so that an example from
    the notes can be checked step by step.

    \b
    Examples:
      tutor explain pca --set X='[[2.5,2.4],[0.4,0.7],[2.2,2.9]]' --format json
      tutor explain information-gain --set counts='[[4,2],[1,3]]' --lang zh
      tutor explain conv-output-size --seed 3 -o conv.html
    """
    import json
    from pathlib import Path

    from . import registry
    from .problem import ParameterError
    from .sheet import build_variant

    output = Path(output) if output else None
    try:
        problem = registry.get(problem_id)
    except registry.UnknownProblem:
        raise BadInput(f"unknown problem type {problem_id!r}; see 'tutor topics'") from None
    values = _parse_assignments(assignments, problem)
    # An instance typed with --set keeps only what was typed of the optional
    # parameters; --seed asks for that variant, changed where --set says.
    left_out = registry.optional(problem) - set(values) if values and seed is None else set()
    if seed is None and set(problem.PARAMETERS) - set(values) - left_out:
        seed = _fresh_seed()
    try:
        params = dict.fromkeys(problem.PARAMETERS)
        if seed is not None:
            params = registry.generate(problem_id, seed, difficulty)
        params |= dict.fromkeys(left_out) | values
        variant = build_variant(problem_id, seed, difficulty, params)
    except ParameterError as error:
        raise BadInput(str(error)) from None
    if fmt is None:
        fmt = {".html": "html", ".htm": "html", ".json": "json"}.get(
            output.suffix.lower() if output else "", "md"
        )
    if fmt == "json":
        content = json.dumps(explain_json(variant, lang), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "html":
        from .render import render

        content = render("explain.html", lang, variant=variant, figures=figures)
    else:
        from .render import markdown

        content = markdown(variant, lang)
    if output:
        output.write_text(content, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(content, nl=False)


STATUS_MARK = {"correct": "✓", "incorrect": "✗", "invalid": "!", "unanswered": "·"}
STATUS_WORDS = {
    "en": {
        "correct": "correct",
        "incorrect": "incorrect",
        "invalid": "invalid",
        "unanswered": "unanswered",
        "total": "Total",
        "answer": "answer",
        "step": "step",
    },
    "zh": {
        "correct": "正确",
        "incorrect": "错误",
        "invalid": "无效",
        "unanswered": "未作答",
        "total": "总分",
        "answer": "答案",
        "step": "步骤",
    },
}


@cli.command("check")
@click.argument("sheet_file", metavar="SHEET", type=click.Path(dir_okay=False))
@click.argument("answers_file", metavar="ANSWERS", type=click.Path(dir_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--lang", type=click.Choice(["en", "zh"]), help="Language (default: the sheet's).")
def check_command(sheet_file, answers_file, fmt, lang):
    """Check a filled-in answer file against its sheet.

    Prints, for every part, whether it is right, the points, feedback that
    names a recognised mistake, and the worked step that gives the right
    value; then the total. Unanswered parts score 0.

    \b
    Example:
      tutor sheet --seed 7 --out s
      tutor check s/sheet.json s/answers.toml
    """
    import json

    from .checking import BadFile, check_answers, load_answers, load_sheet

    try:
        sheet, variants = load_sheet(sheet_file)
        answers = load_answers(answers_file)
    except BadFile as error:
        raise BadInput(str(error)) from None
    lang = lang or (sheet.get("lang") if sheet.get("lang") in ("en", "zh") else "en")
    results, warnings = check_answers(variants, answers, lang)
    for warning in warnings:
        click.echo(f"tutor: warning: {answers_file}: {warning}", err=True)
    earned = sum(p.points for _, parts in results for p in parts)
    total = sum(p.max_points for _, parts in results for p in parts)
    if fmt == "json":
        report = {
            "sheet": str(sheet_file),
            "seed": sheet.get("seed"),
            "score": earned,
            "max_score": total,
            "problems": [
                {
                    "slot": v.slot,
                    "id": v.problem.ID,
                    "score": sum(p.points for p in parts),
                    "max_score": sum(p.max_points for p in parts),
                    "parts": [p.__dict__ for p in parts],
                }
                for v, parts in results
            ],
        }
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    words = STATUS_WORDS[lang]
    for variant, parts in results:
        got = sum(p.points for p in parts)
        most = sum(p.max_points for p in parts)
        title = variant.problem.TITLE[lang]
        click.echo(f"[problem-{variant.slot}] {title} ({variant.problem.ID}): {got:g}/{most:g}")
        for p in parts:
            click.echo(
                f"  {STATUS_MARK[p.status]} {p.name:<26} {p.points:g}/{p.max_points:g}  "
                f"{words[p.status]}"
            )
            if p.feedback and p.status != "correct":
                for line in p.feedback.splitlines():
                    click.echo(f"      {line}")
            if p.status != "correct":
                click.echo(f"      {words['answer']}: {p.answer}")
                if p.step:
                    click.echo(f"      {words['step']}: {p.step['text']}")
                    click.echo(f"        {p.step['latex']}")
    share = 100 * earned / total if total else 0.0
    click.echo(f"{words['total']}: {earned:g}/{total:g} ({share:.0f}%)")


@cli.group()
def assignment():
    """Coding assignments: list them, show one, write its starter file.

    \b
    Examples:
      tutor assignment list
      tutor assignment show core
      tutor assignment starter core -o hw.py
    """


def _load_assignment(name):
    from .grading.assignments import BadAssignment, load

    try:
        return load(name)
    except BadAssignment as error:
        raise BadInput(str(error)) from None


@assignment.command("list")
def assignment_list():
    """List the built-in assignments."""
    from .grading.assignments import builtin_names

    for name in builtin_names():
        loaded = _load_assignment(name)
        click.echo(
            f"{name:<12} {loaded.points:g} points, {len(loaded.tasks)} tasks: {loaded.title}"
        )


@assignment.command("show")
@click.argument("name")
def assignment_show(name):
    """Show an assignment's tasks (NAME: built-in name or a .toml file)."""
    loaded = _load_assignment(name)
    click.echo(f"{loaded.name}: {loaded.title} (seed {loaded.seed}, {loaded.points:g} points)")
    width = max(len(task.function) for task in loaded.tasks)
    for task in loaded.tasks:
        click.echo(
            f"  {task.function:<{width}} {task.points:>5g} points  {len(task.cases):>3} tests  "
            f"{task.visibility:<7}  {task.limits.case_seconds:g} s per call"
        )


@assignment.command("starter")
@click.argument("name")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    required=True,
    help=".py or .ipynb",
)
def assignment_starter(name, output):
    """Write the starter file of an assignment: each function's signature and
    docstring, raising NotImplementedError.

    \b
    Example:
      tutor assignment starter core -o hw.ipynb
    """
    from pathlib import Path

    from .grading.starter import starter_notebook, starter_source

    output = Path(output)
    loaded = _load_assignment(name)
    if output.suffix not in (".py", ".ipynb"):
        raise BadInput("--output must end in .py or .ipynb")
    write = starter_notebook if output.suffix == ".ipynb" else starter_source
    output.write_text(write(loaded, output.name), encoding="utf-8")
    click.echo(f"wrote {output}")


@cli.command()
@click.argument("assignment_name", metavar="ASSIGNMENT")
@click.argument("paths", metavar="SUBMISSION...", nargs=-1, required=True, type=click.Path())
@click.option("--out", type=click.Path(file_okay=False), help="Write reports here.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--workers", type=click.IntRange(1, 256), help="Submissions graded at once [default: cores]."
)
@click.option("--db", type=click.Path(dir_okay=False), help="Gradebook [default: OUT/grades.db].")
@click.option("--regrade", is_flag=True, help="Grade everything again, as a new run.")
@click.option("--cluster", metavar="tcp://HOST:PORT", help="Grade on a Dask scheduler.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def grade(assignment_name, paths, out, fmt, workers, db, regrade, cluster, quiet):
    """Grade submissions (.py, .ipynb, or folders of them) in a sandbox.

    Prints a table (student, score per task, total). With --out, writes per
    student a results.json in Gradescope's format and a feedback.html, and
    for the class grades.csv and summary.html. Every result goes to the
    gradebook as it arrives: running the same command again grades only
    what is new. Exit code 0 when grading ran, whatever the scores.

    \b
    Examples:
      tutor assignment starter core -o hw.py
      tutor grade core hw.py
      tutor grade core submissions/ --out graded --workers 4
    """
    import json
    from pathlib import Path

    from .grading import report, sandbox
    from .grading.batch import grade_batch, load_batch, open_gradebook, stored_result

    loaded = _load_assignment(assignment_name)
    paths = [Path(p) for p in paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise BadInput(f"no such file or folder: {missing[0]}")
    if cluster and not cluster.startswith(("tcp://", "tls://", "inproc://")):
        raise BadInput(f"--cluster expects an address like tcp://HOST:8786, got {cluster!r}")
    isolation = sandbox.isolation_level()
    if isolation != "namespaced":
        click.echo(
            "tutor: warning: bubblewrap is not available: submissions run with resource limits "
            "only (isolation: basic)",
            err=True,
        )
    batch = load_batch(paths)
    book = open_gradebook(db, out)
    try:
        outcome = grade_batch(
            loaded,
            batch,
            book,
            isolation,
            workers=workers or os.cpu_count() or 1,
            regrade=regrade,
            cluster=cluster,
            out=out,
            show_progress=not quiet and sys.stderr.isatty(),
        )
        if outcome.graded == 0 and batch:
            click.echo(
                f"nothing new to grade: all {len(batch)} submissions already have results in "
                f"run {outcome.run_id} (use --regrade to grade them again)",
                err=True,
            )
        elif outcome.skipped:
            click.echo(f"graded {outcome.graded}, kept {outcome.skipped} earlier results", err=True)
        if out:
            failures = [
                (row["name"], row["taken"], row["failed"])
                for row in book.test_failure_shares(outcome.result_ids)
            ]
            report.write_class(out, outcome.results, loaded, failures)
        if fmt == "json":
            # One student at a time from the gradebook: memory stays flat.
            click.echo("[")
            for index, submission in enumerate(batch):
                full = stored_result(book, outcome.run_id, submission)
                text = json.dumps(report.gradescope(full, loaded), indent=2, ensure_ascii=False)
                click.echo(text + ("," if index < len(batch) - 1 else ""))
            click.echo("]")
        else:
            click.echo(report.table(outcome.results, loaded))
    finally:
        book.close()


@cli.group()
def gradebook():
    """Read a gradebook: export the latest grades, a student's history, statistics.

    \b
    Examples:
      tutor gradebook export --db graded/grades.db --format csv
      tutor gradebook show alice --db graded/grades.db
      tutor gradebook stats --db graded/grades.db
    """


DB_OPTION = click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default="grades.db",
    show_default=True,
    help="The gradebook file.",
)


def _open_existing(db):
    from pathlib import Path

    from .grading.gradebook import Gradebook

    if not Path(db).is_file():
        raise BadInput(f"no gradebook at {db}; give one with --db")
    try:
        return Gradebook(db, read_only=True)
    except Exception as error:  # sqlite3.DatabaseError on a file that is not a gradebook
        raise BadInput(f"{db} is not a gradebook ({error})") from None


@gradebook.command("export")
@DB_OPTION
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
def gradebook_export(db, fmt):
    """The latest run's grades: one row (or object) per student."""
    import csv
    import json

    book = _open_existing(db)
    run, rows = book.latest_results()
    if run is None:
        raise BadInput(f"{db} has no grading run yet")
    tasks = book.tasks_of(run["id"])
    records = [
        {"student": s, **{t: scores.get(t, 0.0) for t in tasks}, "total": row["score"]}
        for s, row, scores in rows
    ]
    if fmt == "json":
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
        return
    writer = csv.DictWriter(
        sys.stdout, fieldnames=["student", *tasks, "total"], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(records)


@gradebook.command("show")
@click.argument("student")
@DB_OPTION
def gradebook_show(student, db):
    """A student's history: every graded submission, run by run."""
    book = _open_existing(db)
    history = book.history(student)
    if not history:
        raise BadInput(f"no results for {student!r} in {db}")
    for row in history:
        click.echo(
            f"run {row['run']} ({row['assignment']}, {row['started_at'][:19]}, "
            f"{row['isolation']}): "
            f"{row['score']:g}/{row['max_score']:g}  {row['file_name']}  "
            f"sha256 {row['content_hash'][:12]}  graded {row['graded_at'][:19]}"
        )


@gradebook.command("stats")
@DB_OPTION
def gradebook_stats(db):
    """The latest run's score distribution and, per test, the share of students
    who fail it: what the class has not understood."""
    from .grading.report import histogram

    book = _open_existing(db)
    run, rows = book.latest_results()
    if run is None:
        raise BadInput(f"{db} has no grading run yet")
    totals = [row["score"] for _, row, _ in rows]
    mean = sum(totals) / len(totals) if totals else 0.0
    click.echo(
        f"run {run['id']}: {run['assignment']}, {len(rows)} students, "
        f"mean {mean:.2f}/{run['max_score']:g}"
    )
    for low, high, count in histogram(totals, run["max_score"]):
        click.echo(f"  {low:>7g}–{high:<7g} {'#' * count} {count}")
    click.echo("tests failed most often:")
    for test in book.test_failure_shares([row["id"] for _, row, _ in rows])[:15]:
        if test["failed"]:
            click.echo(f"  {100 * test['failed'] / test['taken']:5.1f}%  {test['name']}")


def main(argv=None):
    """Entry point of the console script."""
    try:
        code = cli.main(args=argv, prog_name="tutor", standalone_mode=False)
    except click.UsageError as error:
        click.echo(f"tutor: error: {error.format_message()}", err=True)
        code = 2
    except click.ClickException as error:
        click.echo(f"tutor: error: {error.format_message()}", err=True)
        code = error.exit_code
    except click.Abort:
        click.echo("tutor: aborted", err=True)
        code = 1
    except OSError as error:
        click.echo(f"tutor: error: {error.strerror or error}: {error.filename or ''}", err=True)
        code = 2
    except Exception as error:  # an internal failure: one line, and the traceback on request
        if os.environ.get("TUTOR_DEBUG"):
            raise
        click.echo(
            f"tutor: internal error: {type(error).__name__}: {error} "
            "(set TUTOR_DEBUG=1 for the traceback)",
            err=True,
        )
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
