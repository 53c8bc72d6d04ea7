"""Timing shared by the PyTorch peer scripts, done the way JMH times Amalgam's side of the table.

JMH (avgt mode) runs warm-up iterations, then measured iterations of at least --time-ms each, and an
iteration's figure is its elapsed time divided by the calls it made. The peers do the same with the same three
settings (`amalgam bench` passes its own), and report two figures, as the table compares two:
  ms       the mean over the measured iterations (JMH's score);
  best_ms  the fastest measured iteration (JMH's minimum): on a shared host, where neighbours only ever add time,
           the steadier of the two.
"""
import time


def add_timing_options(parser, warmup=3, iterations=5, time_ms=1000):
    """--warmup, --iterations and --time-ms, with JMH's meaning."""
    parser.add_argument("--warmup", type=int, default=warmup, help="warm-up iterations (default %(default)s)")
    parser.add_argument("--iterations", type=int, default=iterations,
                        help="measured iterations (default %(default)s)")
    parser.add_argument("--time-ms", type=int, default=time_ms,
                        help="least length of each iteration in ms; at least one call each (default %(default)s)")


def measure(fn, args, per_call=1, times_itself=False):
    """{"ms": mean, "best_ms": best} of fn over JMH-style iterations, in ms per call ÷ per_call.

    With times_itself, fn returns the seconds of the part of the call that is the operation (decode times its
    tokens, not the prefill that fills the cache before them, as JMH leaves out per-invocation setup); otherwise
    the whole call is timed.
    """
    def iteration():
        calls, timed, start = 0, 0.0, time.perf_counter()
        while calls == 0 or time.perf_counter() - start < args.time_ms / 1e3:
            begin = time.perf_counter()
            own = fn()
            timed += own if times_itself else time.perf_counter() - begin
            calls += 1
        return timed / calls / per_call * 1e3

    for _ in range(args.warmup):
        iteration()
    measured = [iteration() for _ in range(max(1, args.iterations))]
    return {"ms": sum(measured) / len(measured), "best_ms": min(measured)}
