package amalgam.kernels;

import amalgam.kernels.cpu.VectorGemm;
import amalgam.kernels.cuda.CudaContext;
import amalgam.kernels.cuda.CudaGemm;
import amalgam.kernels.ffm.NativeGemm;
import amalgam.kernels.ffm.NativeLibrary;
import amalgam.kernels.ffm.OpenBlasGemm;
import amalgam.kernels.scalar.ScalarGemm;
import java.util.List;

/**
 * The one place that knows every GEMM implementation by its name, for the command line and the benchmarks.
 * Optional implementations (native, openblas) report why they are unavailable instead of failing later.
 */
public final class Gemms {

    /** Every name {@link #create} accepts, in the order tables list them. */
    public static final List<String> NAMES = List.of("scalar", "vector", "native", "openblas", "cuda");

    private Gemms() {}

    /**
     * A GEMM by name, computing with {@code pool}'s threads where the implementation is multithreaded.
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws UnsupportedOperationException when the implementation cannot run on this machine (the message
     *         says why)
     */
    public static Gemm create(String name, WorkerPool pool) {
        return switch (name) {
            case "scalar" -> new ScalarGemm();
            case "vector" -> new VectorGemm(pool);
            case "native" -> new NativeGemm(requireNative(pool));
            case "openblas" -> {
                if (!OpenBlasGemm.isAvailable()) throw new UnsupportedOperationException(OpenBlasGemm.unavailableReason());
                yield new OpenBlasGemm(pool.threads());
            }
            case "cuda" -> CudaGemm.fp32(requireCuda());
            default -> throw new IllegalArgumentException(
                    "unknown GEMM implementation '" + name + "' (choose from " + String.join(", ", NAMES) + ")");
        };
    }

    /** The pool's thread count, once the C kernels are known to be loadable here. */
    static int requireNative(WorkerPool pool) {
        if (!NativeLibrary.isAvailable()) throw new UnsupportedOperationException(NativeLibrary.unavailableReason());
        return pool.threads();
    }

    static CudaContext requireCuda() {
        if (!CudaContext.isAvailable()) throw new UnsupportedOperationException(CudaContext.unavailableReason());
        return CudaContext.shared();
    }
}
