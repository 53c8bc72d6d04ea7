"""Timing shared by the PyTorch peer scripts: the best of several runs after warm-up, as JMH's minimum would be."""
import time


def best_seconds(fn, warmup, repeats):
    """The shortest of `repeats` timed calls of fn, after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
