package amalgam.kernels;

import amalgam.kernels.cpu.CpuBackend;
import amalgam.kernels.cuda.CudaBackend;
import amalgam.kernels.ffm.NativeBackend;
import amalgam.kernels.scalar.ScalarBackend;
import java.util.List;
import java.util.Locale;

/**
 * The one place that knows every {@link Backend} by name, for the command line, the self-check and the
 * benchmarks. Optional backends report why they are unavailable instead of failing later.
 */
public final class Backends {

    /** Every name {@link #create} accepts, fastest first among the always-available ones. */
    public static final List<String> NAMES = List.of("scalar", "cpu", "native", "cuda");

    /** The backend commands use unless told otherwise. */
    public static final String DEFAULT = "cpu";

    private Backends() {}

    /**
     * A backend by name, computing with {@code pool}'s threads.
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the known ones)
     * @throws UnsupportedOperationException when the backend cannot run on this machine (the message says why)
     */
    public static Backend create(String name, WorkerPool pool) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "scalar" -> new ScalarBackend();
            case "cpu" -> new CpuBackend(pool, Gemms.create("vector", pool));
            case "native" -> new NativeBackend(Gemms.requireNative(pool));
            case "cuda" -> new CudaBackend(Gemms.requireCuda(), pool);
            default -> throw new IllegalArgumentException(
                    "unknown backend '" + name + "' (choose from " + String.join(", ", NAMES) + ")");
        };
    }
}
