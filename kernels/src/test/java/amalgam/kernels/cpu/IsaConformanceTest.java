package amalgam.kernels.cpu;

import amalgam.kernels.Backend;
import amalgam.kernels.BackendConformanceTest;
import amalgam.kernels.Gemm;
import amalgam.kernels.WorkerPool;
import amalgam.kernels.cpu.GemmParity.Layout;
import amalgam.kernels.scalar.ScalarGemm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static amalgam.kernels.cpu.GemmParity.assertRowsClose;
import static amalgam.kernels.cpu.GemmParity.copy;
import static amalgam.kernels.cpu.GemmParity.describe;
import static amalgam.kernels.cpu.GemmParity.random;

/**
 * The cpu backend against the scalar reference, compact enough to repeat on every vector path: surefire runs it in
 * JVMs started with {@code -XX:UseAVX=2} (256-bit vectors, 16 registers, the 4×2 tile) and
 * {@code -XX:MaxVectorSize=16} (128-bit, as on NEON), see kernels/pom.xml; {@link VectorIsaTest} proves each JVM
 * got its path. The default run leaves it out: VectorGemmTest and CpuBackendTest cover the CPU's own path.
 */
class IsaConformanceTest {

    /**
     * Awkward m, n, k: 1, 7, 33 and 257 cross one vector and one tile on every ISA (8, 16 or 32 columns and 4 or
     * 6 rows per tile), 257 crosses the KC = 256 block, 300 the MC = 144 block; n = 1 and m = 1 take the GEMV
     * paths, n ≤ one vector the small path, the rest the blocked one.
     */
    private static final int[][] SHAPES = {
            {1, 1, 1}, {7, 7, 7}, {3, 5, 257}, {257, 1, 33}, {1, 257, 33}, {7, 33, 257}, {33, 7, 257},
            {257, 33, 7}, {33, 257, 7}, {65, 129, 257}, {300, 71, 40},
    };
    private static final float[] BETAS = {0f, 1f, -0.5f};
    private static final boolean[] FALSE_TRUE = {false, true};

    private static final WorkerPool ONE_THREAD = WorkerPool.of(1);
    private static final WorkerPool TWO_THREADS = WorkerPool.of(2);
    private static final Gemm REFERENCE = new ScalarGemm();
    private static final Gemm[] FAST = {new VectorGemm(ONE_THREAD), new VectorGemm(TWO_THREADS)};

    @AfterAll
    static void closePools() {
        ONE_THREAD.close();
        TWO_THREADS.close();
    }

    @Test
    void gemmMatchesReferenceOnAwkwardShapesAndEveryTranspose() {
        int caseNumber = 0;
        for (int[] shape : SHAPES) {
            for (boolean transA : FALSE_TRUE) {
                for (boolean transB : FALSE_TRUE) {
                    Layout layout = caseNumber % 2 == 0 ? Layout.TIGHT : Layout.LOOSE;
                    check(transA, transB, shape[0], shape[1], shape[2], -1.5f, BETAS[caseNumber % 3], layout,
                            caseNumber++);
                }
            }
        }
    }

    /** Elementwise, reductions, norms, softmax, RoPE and selection: their tails and masks depend on the lanes. */
    @Nested
    class Operations extends BackendConformanceTest {
        private final CpuBackend backend = new CpuBackend(ONE_THREAD, new ScalarGemm());

        @Override
        protected Backend backend() {
            return backend;
        }
    }

    private static void check(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                              Layout layout, int seed) {
        int lda = (transA ? m : k) + layout.pad(), ldb = (transB ? k : n) + layout.pad(), ldc = n + layout.pad();
        long off = layout.offset();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = random(arena, off + (long) (transA ? k : m) * lda, 7L * seed);
            MemorySegment b = random(arena, off + (long) (transB ? n : k) * ldb, 7L * seed + 1);
            MemorySegment initialC = random(arena, off + (long) m * ldc, 7L * seed + 2);
            MemorySegment expected = copy(arena, initialC);
            REFERENCE.gemm(transA, transB, m, n, k, alpha, a, off, lda, b, off, ldb, beta, expected, off, ldc);
            for (int t = 0; t < FAST.length; t++) {
                MemorySegment actual = copy(arena, initialC);
                FAST[t].gemm(transA, transB, m, n, k, alpha, a, off, lda, b, off, ldb, beta, actual, off, ldc);
                String what = VectorIsa.CURRENT.name() + " " + describe(FAST[t], t + 1, transA, transB, m, n, k,
                        alpha, beta) + " " + layout;
                assertRowsClose(expected, actual, initialC, off, ldc, m, n, k, what);
            }
        }
    }
}
