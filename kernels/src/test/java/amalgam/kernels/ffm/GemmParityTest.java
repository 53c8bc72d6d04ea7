package amalgam.kernels.ffm;

import amalgam.kernels.Gemm;
import amalgam.kernels.scalar.ScalarGemm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A GEMM bound through FFM must equal {@link ScalarGemm} (within fp32 summation-order error) on every
 * transpose, beta, thread count and awkward shape, must not read the padding around its operands nor write
 * outside C, and must propagate NaN and Inf as IEEE arithmetic does.
 */
abstract class GemmParityTest {

    private static final float[] BETAS = {0f, 1f, -0.5f};
    private static final int[] THREADS = {1, 2};

    /** The implementation under test, computing with {@code threads} threads. */
    protected abstract Gemm gemm(int threads);

    protected abstract boolean available();

    protected abstract String unavailableReason();

    @BeforeEach
    void skipWhenLibraryIsMissing() {
        assumeTrue(available(), () -> "skipped: " + unavailableReason());
    }

    static Stream<Arguments> shapesAndTransposes() {
        int[][] shapes = {
                {1, 1, 1}, {7, 7, 7}, {33, 33, 33}, {1, 33, 7}, {33, 1, 7}, {7, 33, 1},
                {57, 41, 70}, {13, 100, 3}, {6, 16, 300}, {12, 32, 256},
        };
        List<Arguments> cases = new ArrayList<>();
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) cases.add(Arguments.of(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
    @MethodSource("shapesAndTransposes")
    void matchesScalarOnEveryBetaAndThreadCount(int m, int n, int k, boolean transA, boolean transB) {
        for (float beta : BETAS) {
            for (int threads : THREADS) {
                GemmProblem problem = GemmProblem.random(m * 31L + n * 7L + k, transA, transB, m, n, k,
                        -0.75f, beta, 5, 1);
                assertMatchesScalar(problem, threads, "beta=" + beta + " threads=" + threads);
            }
        }
    }

    @ParameterizedTest(name = "257³ transA={0} transB={1}")
    @MethodSource("transposes")
    void matchesScalarAt257(boolean transA, boolean transB) {
        GemmProblem problem = GemmProblem.random(257, transA, transB, 257, 257, 257, 1.25f, -0.5f, 3, 1);
        assertMatchesScalar(problem, 2, "threads=2");
    }

    static Stream<Arguments> transposes() {
        return Stream.of(Arguments.of(false, false), Arguments.of(true, false),
                Arguments.of(false, true), Arguments.of(true, true));
    }

    /**
     * Shapes that cross the C kernel's row, column and depth blocking (2304 rows, 4096 columns, 256 deep),
     * each above the 2^21 flops where it starts forking threads.
     */
    @ParameterizedTest(name = "m={0} n={1} k={2}")
    @MethodSource("blockCrossingShapes")
    void matchesScalarAcrossBlockBoundaries(int m, int n, int k) {
        for (int threads : THREADS) {
            GemmProblem problem = GemmProblem.random(m + n + k, true, false, m, n, k, 1f, 1f, 2, 1);
            assertMatchesScalar(problem, threads, "threads=" + threads);
        }
    }

    static Stream<Arguments> blockCrossingShapes() {
        return Stream.of(Arguments.of(2400, 40, 20), Arguments.of(3, 4100, 100), Arguments.of(48, 48, 600));
    }

    @Test
    void heapSegmentsGiveTheSameResult() {
        for (int threads : THREADS) {
            GemmProblem problem = GemmProblem.random(11, true, false, 40, 70, 90, 1f, 0.5f, 2, 1);
            assertArrayEquals(problem.run(gemm(threads)), problem.run(gemm(threads), true), "threads=" + threads);
        }
    }

    @Test
    void matchesScalarWithAnOddThreadCount() {
        GemmProblem problem = GemmProblem.random(3, false, true, 101, 203, 300, 1f, 0f, 1, 1);
        assertMatchesScalar(problem, 3, "threads=3");
    }

    @ParameterizedTest(name = "batch transA={0} transB={1}")
    @MethodSource("transposes")
    void batchedMatchesScalar(boolean transA, boolean transB) {
        for (float beta : BETAS) {
            for (int threads : THREADS) {
                GemmProblem problem = GemmProblem.random(99, transA, transB, 7, 33, 20, 0.5f, beta, 1, 3);
                assertMatchesScalar(problem, threads, "beta=" + beta + " threads=" + threads);
            }
        }
    }

    @Test
    void batchedWithSharedOperandsMatchesScalar() {
        GemmProblem p = GemmProblem.random(5, false, true, 9, 17, 40, 1f, 0f, 2, 4);
        GemmProblem sharedB = new GemmProblem(p.transA(), p.transB(), p.m(), p.n(), p.k(), p.alpha(), p.beta(),
                p.batch(), p.strideA(), 0, p.strideC(), p.a(), p.lda(), p.b(), p.ldb(), p.c(), p.ldc());
        GemmProblem sharedA = new GemmProblem(p.transA(), p.transB(), p.m(), p.n(), p.k(), p.alpha(), p.beta(),
                p.batch(), 0, p.strideB(), p.strideC(), p.a(), p.lda(), p.b(), p.ldb(), p.c(), p.ldc());
        for (int threads : THREADS) {
            assertMatchesScalar(sharedB, threads, "stride B = 0, threads=" + threads);
            assertMatchesScalar(sharedA, threads, "stride A = 0, threads=" + threads);
        }
    }

    @Test
    void nanAndInfinityPropagate() {
        GemmProblem p = GemmProblem.random(17, false, false, 33, 20, 17, 1f, 1f, 0, 1);
        p.a()[p.OFFSET + 4 * p.lda() + 9] = Float.NaN;              // row 4 of C becomes NaN
        p.b()[p.OFFSET + 11 * p.ldb() + 6] = Float.POSITIVE_INFINITY; // column 6 becomes ±Inf
        p.c()[p.cIndex(0, 20, 15)] = Float.NEGATIVE_INFINITY;      // beta = 1 carries it through
        for (int threads : THREADS) {
            float[] actual = p.run(gemm(threads));
            assertTrue(Float.isNaN(actual[p.cIndex(0, 4, 0)]), "NaN in A reaches its row of C");
            assertTrue(Float.isInfinite(actual[p.cIndex(0, 0, 6)]), "Inf in B reaches its column of C");
            assertEquals(Float.NEGATIVE_INFINITY, actual[p.cIndex(0, 20, 15)], "Inf in C survives beta = 1");
            assertMatchesScalar(p, threads, "threads=" + threads);
        }
    }

    @Test
    void betaZeroNeverReadsC() {
        GemmProblem p = GemmProblem.random(23, true, true, 19, 21, 23, 1f, 0f, 1, 1);
        for (int i = 0; i < p.m(); i++) {
            for (int j = 0; j < p.n(); j++) p.c()[p.cIndex(0, i, j)] = (i + j) % 2 == 0 ? Float.NaN : Float.NEGATIVE_INFINITY;
        }
        for (int threads : THREADS) {
            float[] actual = p.run(gemm(threads));
            for (int i = 0; i < p.m(); i++) {
                for (int j = 0; j < p.n(); j++) {
                    assertFalse(Float.isNaN(actual[p.cIndex(0, i, j)]) || Float.isInfinite(actual[p.cIndex(0, i, j)]),
                            "C[" + i + "," + j + "] was read although beta = 0");
                }
            }
            assertMatchesScalar(p, threads, "threads=" + threads);
        }
    }

    @Test
    void emptyDepthScalesC() {
        GemmProblem p = GemmProblem.random(3, false, false, 5, 6, 0, 2f, -0.5f, 1, 1);
        assertMatchesScalar(p, 1, "k=0");
    }

    private void assertMatchesScalar(GemmProblem problem, int threads, String context) {
        float[] expected = problem.run(new ScalarGemm());
        float[] actual = problem.run(gemm(threads));
        boolean[] inside = new boolean[expected.length];
        for (int t = 0; t < problem.batch(); t++) {
            for (int i = 0; i < problem.m(); i++) {
                for (int j = 0; j < problem.n(); j++) {
                    int index = problem.cIndex(t, i, j);
                    inside[index] = true;
                    float want = expected[index], got = actual[index];
                    String where = context + ", batch " + t + ", C[" + i + "," + j + "]";
                    if (!Float.isFinite(want) || !Float.isFinite(got)) {
                        if (Float.compare(want, got) != 0) fail(where + ": expected " + want + " but was " + got);
                        continue;
                    }
                    double tolerance = problem.tolerance(t, i, j);
                    if (problem.strideC() == 0) tolerance *= problem.batch();
                    if (Math.abs(want - got) > tolerance) {
                        fail(where + ": expected " + want + " but was " + got + " (tolerance " + tolerance + ")");
                    }
                }
            }
        }
        for (int index = 0; index < actual.length; index++) {
            if (!inside[index] && Float.compare(actual[index], GemmProblem.C_SENTINEL) != 0) {
                fail(context + ": element " + index + " outside C was overwritten with " + actual[index]);
            }
        }
    }
}
