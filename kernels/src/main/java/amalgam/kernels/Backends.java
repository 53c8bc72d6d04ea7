package amalgam.kernels;

import amalgam.kernels.cpu.CpuBackend;
import amalgam.kernels.cuda.CudaBackend;
import amalgam.kernels.ffm.NativeBackend;
import amalgam.kernels.ffm.NativeLibrary;
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

    /**
     * For one-shot commands such as a merge: native where its C library loads on this machine, cpu elsewhere.
     * A merge is over in a second or two, before the JIT has compiled the Java Vector API kernels (which run
     * boxed, many times slower, until it has); the C kernels are compiled ahead of time. Long runs such as
     * training amortise the warm-up and keep {@link #DEFAULT}.
     */
    public static final String AUTO = "auto";

    private Backends() {}

    /** The backend a name stands for: {@link #AUTO} resolved for this machine, any other name normalised. */
    public static String resolve(String name) {
        String normalised = name.trim().toLowerCase(Locale.ROOT);
        if (!normalised.equals(AUTO)) return normalised;
        return NativeLibrary.isAvailable() ? "native" : "cpu";
    }

    /**
     * A backend by name (or {@link #AUTO}), computing with {@code pool}'s threads.
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the known ones)
     * @throws UnsupportedOperationException when the backend cannot run on this machine (the message says why)
     */
    public static Backend create(String name, WorkerPool pool) {
        return switch (resolve(name)) {
            case "scalar" -> new ScalarBackend();
            case "cpu" -> new CpuBackend(pool, Gemms.create("vector", pool));
            case "native" -> new NativeBackend(Gemms.requireNative(pool));
            case "cuda" -> new CudaBackend(Gemms.requireCuda(), pool);
            default -> throw new IllegalArgumentException(
                    "unknown backend '" + name + "' (choose from " + String.join(", ", NAMES) + " or " + AUTO + ")");
        };
    }
}
