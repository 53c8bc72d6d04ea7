package amalgam.kernels.ffm;

import amalgam.kernels.Gemm;
import amalgam.kernels.WorkerPool;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code cblas_sgemm} of the system OpenBLAS (Debian: libopenblas0-pthread), bound through FFM: the GEMM
 * every other implementation is measured against. Like {@link NativeLibrary}, loading never throws;
 * {@link #isAvailable()} and {@link #unavailableReason()} say whether it can be used.
 *
 * <p>Heap segments work, through a critical downcall that holds up garbage collection while OpenBLAS runs.
 *
 * <p>OpenBLAS has one process-wide thread count; each call sets it to this instance's count when it
 * differs from the last one set, so instances with different counts should not run concurrently.
 */
public final class OpenBlasGemm implements Gemm {

    /** Tried in order: OpenBLAS under its own name, then the BLAS alternative if OpenBLAS provides it. */
    private static final List<String> LIBRARY_NAMES = List.of("libopenblas.so.0", "libblas.so.3");

    // Values of the CBLAS enums in cblas.h.
    private static final int CBLAS_ROW_MAJOR = 101;
    private static final int CBLAS_NO_TRANS = 111;
    private static final int CBLAS_TRANS = 112;

    private static final Binding BINDING = bind();
    private static volatile int threadsSet = -1;

    /** {@code sgemmOnHeap}: a critical downcall, the only kind that may be passed heap segments. */
    private record Binding(MethodHandle sgemm, MethodHandle sgemmOnHeap, MethodHandle setThreads,
                           String unavailableReason) {}

    private final int threads;

    /** @throws IllegalStateException when {@link #isAvailable()} is false */
    public OpenBlasGemm(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        if (!isAvailable()) throw new IllegalStateException("openblas unavailable: " + unavailableReason());
        this.threads = threads;
    }

    /** Uses every core. */
    public OpenBlasGemm() {
        this(WorkerPool.availableCores());
    }

    public static boolean isAvailable() {
        return BINDING.sgemm != null;
    }

    /** Why OpenBLAS cannot be used (null when it can), phrased for a user. */
    public static String unavailableReason() {
        return BINDING.unavailableReason;
    }

    @Override
    public String name() {
        return "openblas";
    }

    public int threads() {
        return threads;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     MemorySegment a, long aOffset, int lda,
                     MemorySegment b, long bOffset, int ldb,
                     float beta, MemorySegment c, long cOffset, int ldc) {
        int aCols = transA ? m : k, bCols = transB ? k : n;
        long aExtent = Operands.matrixExtent(transA ? k : m, aCols, lda, "A");
        long bExtent = Operands.matrixExtent(transB ? n : k, bCols, ldb, "B");
        long cExtent = Operands.matrixExtent(m, n, ldc, "C");
        if (m == 0 || n == 0) return;
        MemorySegment as = Operands.elements(a, aOffset, aExtent, "A");
        MemorySegment bs = Operands.elements(b, bOffset, bExtent, "B");
        MemorySegment cs = Operands.elements(c, cOffset, cExtent, "C");
        try {
            if (threadsSet != threads) {
                BINDING.setThreads.invokeExact(threads);
                threadsSet = threads;
            }
            // CBLAS rejects (prints and skips) a leading dimension below max(1, columns), even where a single
            // row makes it irrelevant; raise it to that floor, which cannot change what is read.
            MethodHandle sgemm = Operands.onHeap(a, b, c) ? BINDING.sgemmOnHeap : BINDING.sgemm;
            sgemm.invokeExact(CBLAS_ROW_MAJOR, transA ? CBLAS_TRANS : CBLAS_NO_TRANS,
                    transB ? CBLAS_TRANS : CBLAS_NO_TRANS, m, n, k, alpha,
                    as, Math.max(lda, Math.max(1, aCols)), bs, Math.max(ldb, Math.max(1, bCols)),
                    beta, cs, Math.max(ldc, Math.max(1, n)));
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
    }

    private static Binding bind() {
        Linker linker = Linker.nativeLinker();
        List<String> failures = new ArrayList<>();
        for (String name : LIBRARY_NAMES) {
            SymbolLookup lookup;
            try {
                lookup = SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException | IllegalCallerException e) {
                failures.add(name + " not found");
                continue;
            }
            // dlsym searches the library's dependencies too, so libblas.so.3 finds these when it is OpenBLAS.
            Optional<MemorySegment> sgemm = lookup.find("cblas_sgemm");
            Optional<MemorySegment> setThreads = lookup.find("openblas_set_num_threads");
            if (sgemm.isEmpty() || setThreads.isEmpty()) {
                failures.add(name + " is not OpenBLAS (no cblas_sgemm/openblas_set_num_threads)");
                continue;
            }
            FunctionDescriptor sgemmDescriptor = FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT,
                    JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT,
                    JAVA_FLOAT, ADDRESS, JAVA_INT);
            return new Binding(linker.downcallHandle(sgemm.get(), sgemmDescriptor),
                    linker.downcallHandle(sgemm.get(), sgemmDescriptor, Linker.Option.critical(true)),
                    linker.downcallHandle(setThreads.get(), FunctionDescriptor.ofVoid(JAVA_INT)), null);
        }
        return new Binding(null, null, null, String.join("; ", failures)
                + " (install OpenBLAS: apt-get install libopenblas0-pthread)");
    }
}
