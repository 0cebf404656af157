"""Benchmark of the sheet job.

Measures, in one run:
- problem variants per second: generation, solving, worked steps and both
  HTML pages, for sheets mixing every problem type (interpreter start and
  imports excluded: one warm-up sheet first), without figures and with them;
- the start-up of `tutor --help` against `python -c pass`, as medians of
  repeated runs of the installed console script, with `import click` alone
  for reference (the command line's framework costs what it costs).

Targets on a 2-core machine: >= 50 variants/s without figures, >= 20 with
them; `tutor --help` at most 1.5x the bare interpreter.

Usage: python bench/sheet.py [--sheets 30] [--runs 21]
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def variants_per_second(sheets, figures):
    from tutor import registry
    from tutor.render import render
    from tutor.sheet import make_sheet

    count = len(registry.problem_types())
    warm_up = make_sheet([], count, 0)
    render("solutions.html", "en", variants=warm_up, seed=0, figures=figures)
    start = time.perf_counter()
    for seed in range(1, sheets + 1):
        variants = make_sheet([], count, seed)
        lang = "en" if seed % 2 else "zh"
        render("sheet.html", lang, variants=variants, seed=seed)
        render("solutions.html", lang, variants=variants, seed=seed, figures=figures)
    elapsed = time.perf_counter() - start
    drawn = sum(hasattr(p, "figure") for p in registry.problem_types().values())
    return sheets * count / elapsed, sheets * count, elapsed, drawn


def median_seconds(command, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=30, help="sheets of one problem per type")
    parser.add_argument("--runs", type=int, default=21, help="runs per start-up measurement")
    args = parser.parse_args()

    rate, total, elapsed, _ = variants_per_second(args.sheets, figures=False)
    print(f"variants: {total} in {elapsed:.2f} s = {rate:.1f} variants/s (target >= 50)")
    rate, total, elapsed, drawn = variants_per_second(args.sheets, figures=True)
    print(
        f"with figures ({drawn} of the types draw one): {total} in {elapsed:.2f} s "
        f"= {rate:.1f} variants/s (target >= 20)"
    )

    script = shutil.which("tutor", path=str(Path(sys.executable).parent)) or shutil.which("tutor")
    bare = median_seconds([sys.executable, "-c", "pass"], args.runs)
    click = median_seconds([sys.executable, "-c", "import click"], args.runs)
    cli = median_seconds([script, "--help"], args.runs)
    print(
        f"start-up: python -c pass {bare * 1000:.1f} ms, tutor --help {cli * 1000:.1f} ms "
        f"= {cli / bare:.2f}x (target <= 1.5x)"
    )
    print(
        f"          of which importing click alone: {click * 1000:.1f} ms = {click / bare:.2f}x; "
        f"tutor's own share: {(cli - click) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
