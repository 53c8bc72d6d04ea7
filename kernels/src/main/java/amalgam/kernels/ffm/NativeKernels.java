package amalgam.kernels.ffm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcall handles for every function of {@code native/cpu/amalgam.h}, as static finals, so the JIT treats
 * them as constants. The descriptors must match the C prototypes exactly.
 *
 * <p>They are grouped in holder classes, each initialised on its first use (only after
 * {@link NativeLibrary#isAvailable()} was checked): a cold downcall handle costs 3-7 ms to make, so making all
 * 38 when the first kernel runs took 145-170 ms of every command's start, and a merge needs only the GEMM and
 * merge groups.
 */
final class NativeKernels {

    private NativeKernels() {}

    /**
     * The two ways to call one function: {@code critical} skips the thread-state transition (a visible
     * saving for microsecond calls, a GC stall for long ones) and accepts heap segments; {@code regular}
     * is the normal downcall, for long calls on off-heap memory.
     */
    record Downcall(MethodHandle critical, MethodHandle regular) {
        /** Below this much work (elements or flops / 64) a call is short enough to run critical. */
        static final long CRITICAL_MAX_WORK = 1 << 14;

        static Downcall of(String name, FunctionDescriptor descriptor) {
            return new Downcall(NativeLibrary.downcall(name, descriptor, true),
                    NativeLibrary.downcall(name, descriptor, false));
        }

        /** The handle for a call of this much work; {@code onHeap}: some operand wraps a Java array. */
        MethodHandle forWork(long work, boolean onHeap) {
            return onHeap || work <= CRITICAL_MAX_WORK ? critical : regular;
        }
    }

    private static FunctionDescriptor returning(MemoryLayout result, MemoryLayout... arguments) {
        return FunctionDescriptor.of(result, arguments);
    }

    private static FunctionDescriptor voidOf(MemoryLayout... arguments) {
        return FunctionDescriptor.ofVoid(arguments);
    }

    /** The GEMMs. */
    static final class GemmCalls {
        private GemmCalls() {}

        static final Downcall SGEMM = Downcall.of("amalgam_sgemm", returning(JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_FLOAT,
                ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_FLOAT, ADDRESS, JAVA_LONG, JAVA_INT));

        static final Downcall SGEMM_BATCHED = Downcall.of("amalgam_sgemm_batched", returning(JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_FLOAT,
                ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG,
                JAVA_FLOAT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT));
    }

    /** Elementwise maps, strided copies, fills and reductions. */
    static final class ElementwiseCalls {
        private ElementwiseCalls() {}

        static final Downcall UNARY = Downcall.of("amalgam_unary",
                voidOf(JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT));

        static final Downcall AFFINE = Downcall.of("amalgam_affine",
                voidOf(JAVA_LONG, JAVA_FLOAT, JAVA_FLOAT, ADDRESS, ADDRESS, JAVA_INT));

        static final Downcall BINARY = Downcall.of("amalgam_binary",
                voidOf(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS,
                        ADDRESS, JAVA_INT));

        static final Downcall COPY_STRIDED = Downcall.of("amalgam_copy_strided",
                voidOf(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT));

        static final Downcall FILL = Downcall.of("amalgam_fill",
                voidOf(JAVA_LONG, JAVA_FLOAT, ADDRESS, JAVA_INT));

        static final Downcall REDUCE = Downcall.of("amalgam_reduce",
                voidOf(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }

    /** Row-wise softmax, normalisations and RoPE, forward and backward: what a model's layers call. */
    static final class RowCalls {
        private RowCalls() {}

        private static final FunctionDescriptor ROWS = voidOf(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
        private static final FunctionDescriptor ROWS_BACKWARD =
                voidOf(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT);

        static final Downcall SOFTMAX_ROWS = Downcall.of("amalgam_softmax_rows", ROWS);
        static final Downcall LOG_SOFTMAX_ROWS = Downcall.of("amalgam_log_softmax_rows", ROWS);
        static final Downcall SOFTMAX_BACKWARD_ROWS = Downcall.of("amalgam_softmax_backward_rows", ROWS_BACKWARD);
        static final Downcall LOG_SOFTMAX_BACKWARD_ROWS =
                Downcall.of("amalgam_log_softmax_backward_rows", ROWS_BACKWARD);

        static final Downcall LAYER_NORM_ROWS = Downcall.of("amalgam_layer_norm_rows",
                voidOf(JAVA_INT, JAVA_INT, JAVA_FLOAT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                        JAVA_INT));

        static final Downcall LAYER_NORM_BACKWARD_ROWS = Downcall.of("amalgam_layer_norm_backward_rows",
                voidOf(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                        JAVA_INT));

        static final Downcall RMS_NORM_ROWS = Downcall.of("amalgam_rms_norm_rows",
                voidOf(JAVA_INT, JAVA_INT, JAVA_FLOAT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));

        static final Downcall RMS_NORM_BACKWARD_ROWS = Downcall.of("amalgam_rms_norm_backward_rows",
                voidOf(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));

        static final Downcall ROPE_ROWS = Downcall.of("amalgam_rope_rows",
                voidOf(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
    }

    /** The merge sweeps: magnitude selection and the elected mean. */
    static final class MergeCalls {
        private MergeCalls() {}

        static final Downcall KTH_LARGEST_ABS = Downcall.of("amalgam_kth_largest_abs",
                returning(JAVA_FLOAT, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT));

        static final Downcall KEEP_MAGNITUDE_RANKS = Downcall.of("amalgam_keep_magnitude_ranks",
                returning(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT));

        static final Downcall ELECTED_MEAN = Downcall.of("amalgam_elected_mean",
                voidOf(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_DOUBLE, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS,
                        JAVA_INT));
    }

    /** invokeExact declares Throwable; the C kernels throw nothing, so anything caught is a linkage bug. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) return re;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("native call failed", t);
    }
}
