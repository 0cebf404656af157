"""Benchmark of answer checking.

Runs every row of the answer corpus (tests/answers/test_corpus.py) through
tutor.answers.check and reports p50 and p99 latency per check. In the same
run, the well-formed number and expression rows also go through a baseline
that parses with sympy's parse_expr and compares with sympy's .equals (the
approach of symbolic-input graders), with a time limit per check.

Targets: p50 <= 1 ms, p99 <= 20 ms, and >= 10x faster than the baseline at
p50 (on the rows both handle).

Usage: python bench/answers.py [--repeat 5]
"""

import argparse
import importlib.util
import signal
import statistics
import time
from pathlib import Path

CORPUS_FILE = Path(__file__).resolve().parent.parent / "tests" / "answers" / "test_corpus.py"
BASELINE_LIMIT = 2.0  # seconds per check


def load_corpus():
    spec = importlib.util.spec_from_file_location("answer_corpus", CORPUS_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SPECS, module.CORPUS


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def time_ours(specs, corpus, repeat):
    from tutor.answers import check

    for spec_name, text, *_ in corpus:  # warm-up: imports and caches
        check(specs[spec_name], text)
    latencies = {}
    for _ in range(repeat):
        for index, (spec_name, text, *_) in enumerate(corpus):
            start = time.perf_counter()
            check(specs[spec_name], text)
            latencies.setdefault(index, []).append(time.perf_counter() - start)
    return {index: statistics.median(times) for index, times in latencies.items()}


class Timeout(Exception):
    pass


def baseline_check(expected, text, variables):
    """parse_expr with implicit multiplication and ^ as power, then .equals.
    Benchmark only: it runs on the corpus's well-formed rows, never on
    student input (parse_expr evaluates code)."""
    import sympy
    from sympy.parsing.sympy_parser import (
        convert_xor,
        implicit_multiplication_application,
        parse_expr,
        standard_transformations,
    )

    transformations = standard_transformations + (
        implicit_multiplication_application,
        convert_xor,
    )
    names = {v: sympy.Symbol(v) for v in variables}
    names["sigmoid"] = lambda z: 1 / (1 + sympy.exp(-z))
    names["ln"] = sympy.log
    student = parse_expr(text, local_dict=names, transformations=transformations)
    return bool(expected.equals(student))


def time_baseline(specs, corpus):
    import sympy

    from tutor.answers import Expression, Number

    def stop(signum, frame):
        raise Timeout

    signal.signal(signal.SIGALRM, stop)
    latencies, timeouts = {}, 0
    for index, (spec_name, text, status, *_) in enumerate(corpus):
        spec = specs[spec_name]
        if status == "invalid" or not isinstance(spec, (Number, Expression)):
            continue
        if isinstance(spec, Number):
            expected, variables = sympy.nsimplify(spec.value), ()
        else:
            expected, variables = spec.sympy(), tuple(spec.variables)
        start = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, BASELINE_LIMIT)
        try:
            baseline_check(expected, text, variables)
        except Timeout:
            timeouts += 1
        except Exception:  # the baseline's own parse failures still cost their time
            pass
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        latencies[index] = time.perf_counter() - start
    return latencies, timeouts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the corpus")
    args = parser.parse_args()

    specs, corpus = load_corpus()
    ours = time_ours(specs, corpus, args.repeat)
    base, timeouts = time_baseline(specs, corpus)
    shared = sorted(base)

    def ms(seconds):
        return f"{seconds * 1000:.3f} ms"

    all_ours = list(ours.values())
    print(f"corpus: {len(corpus)} rows, {args.repeat} timed passes")
    print(
        f"tutor.answers.check, all rows:  p50 {ms(percentile(all_ours, 0.5))}, "
        f"p99 {ms(percentile(all_ours, 0.99))}, max {ms(max(all_ours))} "
        "(targets: p50 <= 1 ms, p99 <= 20 ms)"
    )
    ours_shared = [ours[i] for i in shared]
    base_shared = [base[i] for i in shared]
    p50_ours, p50_base = percentile(ours_shared, 0.5), percentile(base_shared, 0.5)
    print(
        f"rows both handle ({len(shared)}): tutor p50 {ms(p50_ours)}, p99 "
        f"{ms(percentile(ours_shared, 0.99))}; sympy parse_expr + .equals p50 {ms(p50_base)}, "
        f"p99 {ms(percentile(base_shared, 0.99))}, {timeouts} over {BASELINE_LIMIT:g} s"
    )
    print(f"speed-up at p50: {p50_base / p50_ours:.1f}x (target >= 10x)")


if __name__ == "__main__":
    main()
