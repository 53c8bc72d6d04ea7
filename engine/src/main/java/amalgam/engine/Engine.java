package amalgam.engine;

import amalgam.kernels.Backend;
import amalgam.kernels.Precision;
import amalgam.kernels.WorkerPool;
import amalgam.kernels.Backends;
import amalgam.kernels.scalar.ScalarBackend;

/**
 * The one place that decides which kernels compute each dtype, and the entry points for the engine's
 * scopes: {@link #step()} for per-step memory and {@link #noGrad()} for graph-free computation.
 *
 * <p>F32 computes on the fast backend (replaceable with {@link #useBackend}); F64 always computes on the
 * double-precision reference, which is what gradient checks need.
 */
public final class Engine {

    private static volatile Backend f32 = defaultF32();
    private static volatile String f32Gemm = "vector";
    private static final Backend F64 = new ScalarBackend(Precision.F64);

    private Engine() {}

    private static Backend defaultF32() {
        return Backends.create(Backends.DEFAULT, WorkerPool.of(WorkerPool.availableCores()));
    }

    /** The backend that computes tensors of {@code dtype}. */
    public static Backend backend(DType dtype) {
        return dtype == DType.F32 ? f32 : F64;
    }

    /**
     * Makes {@code backend} compute every F32 tensor from now on (tests and benchmarks compare backends);
     * {@code gemmName} names the GEMM inside it, for reports.
     */
    public static void useBackend(Backend backend, String gemmName) {
        f32 = backend;
        f32Gemm = gemmName;
    }

    /** The name of the GEMM under F32 products ("scalar" while the reference is in use). */
    public static String f32GemmName() {
        return f32Gemm;
    }

    /** Bytes of pooled step memory this thread holds; it stops growing once steps repeat. */
    public static long stepMemoryBytes() {
        return Context.current().chunkBytes;
    }

    /** Opens a per-step memory scope on this thread: {@code try (var step = Engine.step()) { ... }}. */
    public static Step step() {
        return new Step(Context.current());
    }

    /** Opens a scope in which ops record no graph. */
    public static NoGrad noGrad() {
        return new NoGrad(Context.current());
    }

    public static boolean isGradEnabled() {
        return Context.current().gradEnabled;
    }
}
