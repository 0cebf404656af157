"""Grading on a Dask cluster: the workers grade, with the same sandbox as on
one machine; the coordinator receives each result and writes the gradebook.

What travels is the assignment's TOML text and the submissions' source; each
worker rebuilds the assignment (its cases derive from its seed, so every
worker draws the same ones) and reports its own isolation level.
"""

from functools import lru_cache


@lru_cache(maxsize=8)
def _assignment(source, name):
    from .assignments import parse

    return parse(source, name)


def grade_remote(source, name, submission):
    """Runs on a worker: grade one submission with the worker's sandbox."""
    from . import runner

    return runner.grade_submission(_assignment(source, name), submission)


def grade_on_cluster(address, assignment, todo, isolation, arrived):
    """Send every submission to the scheduler at ``address``; hand each result
    to ``arrived`` as it comes back."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise RuntimeError(
            "grading on a cluster needs the extra: pip install 'tutor[cluster]'"
        ) from None

    with Client(address, timeout="30s") as client:
        futures = {
            client.submit(grade_remote, assignment.source, assignment.name, s, pure=False): s
            for s in todo
        }
        for future in as_completed(futures):
            arrived(futures.pop(future), future.result())
            future.release()  # the cluster may forget it: memory stays flat
