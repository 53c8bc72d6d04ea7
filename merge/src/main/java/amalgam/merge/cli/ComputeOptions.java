package amalgam.merge.cli;

import amalgam.kernels.Backend;
import amalgam.kernels.WorkerPool;
import amalgam.kernels.Backends;
import amalgam.engine.InputException;
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

    @Option(names = "--threads", paramLabel = "N", order = 20,
            description = "Threads to compute with (default: all cores, here ${DEFAULT-VALUE}).")
    int threads = WorkerPool.availableCores();

    @Option(names = "--backend", paramLabel = "NAME", order = 21,
            description = "Compute backend: scalar (plain loops, the reference), cpu (Java Vector API, "
                    + "multithreaded), native (C kernels through FFM, multithreaded) or auto (native where its "
                    + "library loads, else cpu). Default: ${DEFAULT-VALUE}.")
    String backend;

    /** The options with {@link Backends#DEFAULT} as the default backend. */
    public ComputeOptions() {
        this(Backends.DEFAULT);
    }

    /** The options with another default backend, e.g. {@link Backends#AUTO} for one-shot commands. */
    public ComputeOptions(String defaultBackend) {
        this.backend = defaultBackend;
    }

    /** Generous for oversubscription experiments, far below what would exhaust the process's threads. */
    static int maxThreads() {
        return Math.max(64, 8 * WorkerPool.availableCores());
    }

    /** A worker pool of {@code --threads} threads; the caller closes it. */
    public WorkerPool pool() {
        if (threads < 1) throw new InputException("--threads", "must be at least 1, got " + threads);
        if (threads > maxThreads()) {
            throw new InputException("--threads", threads + " threads on " + WorkerPool.availableCores()
                    + " cores; at most " + maxThreads() + " (more only contend for the same cores)");
        }
        return WorkerPool.of(threads);
    }

    /** Opens the command's compute scope: the pool, and the backend for the merge and the engine alike. */
    public ComputeScope open() {
        return new ComputeScope(this);
    }

    /** What {@code --backend} stands for on this machine, e.g. "native" for auto where the C library loads. */
    public String backendName() {
        return Backends.resolve(backend);
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
