package amalgam.kernels;

import amalgam.kernels.cpu.VectorGemm;
import amalgam.kernels.cuda.CudaContext;
import amalgam.kernels.cuda.CudaGemm;
import amalgam.kernels.scalar.ScalarGemm;
import java.util.List;

/**
 * The one place that knows every GEMM implementation by its name, for the command line and the benchmarks.
 * Optional implementations (native, openblas) report why they are unavailable instead of failing later.
 */
public final class Gemms {

    /** Every name {@link #create} accepts, in the order tables list them. */
    public static final List<String> NAMES = List.of("scalar", "vector", "cuda");

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
            case "cuda" -> CudaGemm.fp32(requireCuda());
            default -> throw new IllegalArgumentException(
                    "unknown GEMM implementation '" + name + "' (choose from " + String.join(", ", NAMES) + ")");
        };
    }

    static CudaContext requireCuda() {
        if (!CudaContext.isAvailable()) throw new UnsupportedOperationException(CudaContext.unavailableReason());
        return CudaContext.shared();
    }
}
