"""The clock of the benchmark harness, shared by ``__main__.py`` and the scripts it runs
in other Pythons (``torch_workloads.py``), so every side is timed the same way.
Standard library only: it is imported where pymx is not installed."""
import statistics
import time


def timeit(fn, repeat=7, number=1, warmup=1):
    """(median, min, max) seconds per call of ``fn``: ``warmup`` untimed calls, then
    ``repeat`` runs of ``number`` calls each."""
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - t0) / number)
    return statistics.median(runs), min(runs), max(runs)
