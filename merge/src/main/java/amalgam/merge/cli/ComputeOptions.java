package amalgam.merge.cli;

import amalgam.kernels.Backend;
import amalgam.kernels.WorkerPool;
import amalgam.kernels.Backends;
import amalgam.merge.InputException;
import amalgam.merge.algorithms.ComputeContext;
import picocli.CommandLine.Option;

/**
 * {@code --threads} and {@code --backend}, shared by every command that computes: the one place that turns a
 * backend name into a {@link Backend}.
 *
 * <pre>{@code
 * try (WorkerPool pool = compute.pool()) {
 *     ComputeContext ctx = compute.context(pool);
 *     …
 * }
 * }</pre>
 */
public final class ComputeOptions {

    static final String DEFAULT_BACKEND = Backends.DEFAULT;

    @Option(names = "--threads", paramLabel = "N", order = 20,
            description = "Threads to compute with (default: all cores, here ${DEFAULT-VALUE}).")
    int threads = WorkerPool.availableCores();

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = DEFAULT_BACKEND, order = 21,
            description = "Compute backend: scalar (plain loops, the reference), cpu (Java Vector API, "
                    + "multithreaded) or native (C kernels through FFM). Default: ${DEFAULT-VALUE}.")
    String backend = DEFAULT_BACKEND;

    /** A worker pool of {@code --threads} threads; the caller closes it. */
    public WorkerPool pool() {
        if (threads < 1) throw new InputException("--threads", "must be at least 1, got " + threads);
        return WorkerPool.of(threads);
    }

    /** The chosen backend computing on {@code pool}. */
    public ComputeContext context(WorkerPool pool) {
        return new ComputeContext(backend(backend, pool), pool);
    }

    static Backend backend(String name, WorkerPool pool) {
        try {
            return Backends.create(name, pool);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            throw new InputException("--backend", e.getMessage());
        }
    }
}
