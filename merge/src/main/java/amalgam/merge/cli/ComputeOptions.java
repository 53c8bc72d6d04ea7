package amalgam.merge.cli;

import amalgam.kernels.Backend;
import amalgam.kernels.WorkerPool;
import amalgam.kernels.scalar.ScalarBackend;
import amalgam.merge.InputException;
import amalgam.merge.algorithms.ComputeContext;
import java.util.List;
import java.util.Locale;
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

    /** Every name {@code --backend} accepts, in the order help lists them. */
    static final List<String> BACKENDS = List.of("scalar", "cpu", "native");

    /**
     * The backend used when {@code --backend} is not given: the fastest one this build has. Switch to "cpu"
     * once {@code amalgam.kernels.cpu.CpuBackend} is on main (and add its case to {@link #backend}).
     */
    static final String DEFAULT_BACKEND = "scalar";

    @Option(names = "--threads", paramLabel = "N", order = 20,
            description = "Threads to compute with (default: all cores, here ${DEFAULT-VALUE}).")
    int threads = WorkerPool.availableCores();

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = DEFAULT_BACKEND, order = 21,
            description = "Compute backend: scalar (plain loops, the reference), cpu (Java Vector API) or native "
                    + "(C kernels and OpenBLAS). Default: ${DEFAULT-VALUE}, the fastest this build has.")
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
        String key = name.trim().toLowerCase(Locale.ROOT);
        return switch (key) {
            case "scalar" -> new ScalarBackend();
            case "cpu", "native" -> throw new InputException("--backend", key + " is not available in this build "
                    + "yet; use --backend scalar");
            default -> throw new InputException("--backend", "unknown backend '" + name + "'; expected one of "
                    + String.join(", ", BACKENDS));
        };
    }
}
