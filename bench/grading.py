"""Benchmark of batch grading.

Builds N synthetic submissions (correct, wrong, crashing and slow ones mixed)
for a small assignment, grades them in parallel with the same sandbox as
`tutor grade`, and reports, in one run:
- submissions per second;
- the median per-submission overhead: wall time of a submission's grading
  minus the time spent inside the student's functions;
- the peak memory of the grader and of its largest child;
- for comparison, the cost of a bare fork()+exit and of spawning a fresh
  `python -c "import numpy"`.

Targets on a 2-core machine: median overhead <= 20 ms per submission with full
isolation, at least 5x below spawning a fresh interpreter; flat memory over
2,000 submissions (compare --count 200 with --count 2000).

Usage: python bench/grading.py [--count 200] [--workers 2]
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ASSIGNMENT = """
name = "bench"
title = "Benchmark: two cheap tasks"
seed = 1

[defaults]
cases = 4
case_seconds = 2

[[tasks]]
function = "entropy"
points = 5

[[tasks]]
function = "conv_output_size"
points = 5
"""

CORRECT = """
import numpy as np

def entropy(labels, base=2):
    _, counts = np.unique(np.asarray(labels, dtype=object).astype(str), return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum() / np.log(base))

def conv_output_size(n, f, p=0, s=1):
    if s < 1 or p < 0 or f < 1 or n < 1 or f > n + 2 * p:
        raise ValueError("impossible setting")
    return (n + 2 * p - f) // s + 1
"""

VARIANTS = {
    "correct": CORRECT,
    "wrong": CORRECT.replace("np.log(base)", "1.0").replace("// s + 1", "// s"),
    "crashing": CORRECT.replace("p = counts", "raise RuntimeError('oops')\n    p = counts"),
    "slow": CORRECT.replace(
        "    p = counts", "    import time\n    time.sleep(0.05)\n    p = counts"
    ),
}


def make_submissions(folder, count):
    names = list(VARIANTS)
    for index in range(count):
        kind = names[index % len(names)]
        source = f"# submission {index}\n" + VARIANTS[kind]
        (folder / f"student{index:05d}-{kind}.py").write_text(source)


def median_seconds(action, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bare_fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def fresh_interpreter():
    subprocess.run([sys.executable, "-c", "import numpy"], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="synthetic submissions")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    from tutor.grading import sandbox
    from tutor.grading.assignments import parse
    from tutor.grading.batch import grade_batch, load_batch
    from tutor.grading.gradebook import Gradebook

    assignment = parse(ASSIGNMENT, "bench")
    isolation = sandbox.isolation_level()
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "class"
        folder.mkdir()
        make_submissions(folder, args.count)
        batch = load_batch([folder])
        gradebook = Gradebook(Path(work) / "grades.db")
        start = time.perf_counter()
        outcome = grade_batch(assignment, batch, gradebook, isolation, workers=args.workers)
        elapsed = time.perf_counter() - start
        gradebook.close()

    overheads = [r.seconds - r.student_seconds for r in outcome.results]
    grader_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    fork_cost = median_seconds(bare_fork, 200)
    spawn_cost = median_seconds(fresh_interpreter, 10)
    median_overhead = statistics.median(overheads)

    print(
        f"isolation: {isolation}; {args.count} submissions, {args.workers} workers, "
        f"{len(assignment.tasks)} tasks, {sum(len(t.cases) for t in assignment.tasks)} calls each"
    )
    print(f"throughput: {args.count / elapsed:.1f} submissions/s ({elapsed:.1f} s in all)")
    print(
        f"per-submission overhead: median {median_overhead * 1000:.1f} ms, "
        f"p90 {sorted(overheads)[int(0.9 * len(overheads))] * 1000:.1f} ms (target <= 20 ms)"
    )
    print(f"peak memory: grader {grader_peak:.0f} MB, largest child {child_peak:.0f} MB")
    print(
        f"bare fork()+exit: {fork_cost * 1000:.2f} ms; "
        f"fresh python -c 'import numpy': {spawn_cost * 1000:.1f} ms"
    )
    print(
        f"overhead vs fresh interpreter: {spawn_cost / median_overhead:.2f}x below (target >= 5x)"
    )


if __name__ == "__main__":
    main()
