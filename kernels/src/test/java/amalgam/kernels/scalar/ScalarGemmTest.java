package amalgam.kernels.scalar;

import amalgam.kernels.Precision;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The reference GEMM on hand-computed products, every transpose combination, in both precisions. */
class ScalarGemmTest {

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    // A = [[1,2,3],[4,5,6]] (2×3), B = [[7,8],[9,10],[11,12]] (3×2), A·B = [[58,64],[139,154]]
    private static final double[] A = {1, 2, 3, 4, 5, 6};
    private static final double[] A_T = {1, 4, 2, 5, 3, 6};
    private static final double[] B = {7, 8, 9, 10, 11, 12};
    private static final double[] B_T = {7, 9, 11, 8, 10, 12};
    private static final double[] PRODUCT = {58, 64, 139, 154};

    @ParameterizedTest
    @EnumSource(Precision.class)
    void everyTransposeCombinationGivesTheSameProduct(Precision p) {
        ScalarGemm gemm = new ScalarGemm(p);
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                MemorySegment a = p.of(arena, transA ? A_T : A), b = p.of(arena, transB ? B_T : B);
                MemorySegment c = p.allocate(arena, 4);
                gemm.gemm(transA, transB, 2, 2, 3, 1f, a, 0, transA ? 2 : 3, b, 0, transB ? 3 : 2, 0f, c, 0, 2);
                assertArrayEquals(PRODUCT, p.toArray(c, 0, 4), "transA=" + transA + " transB=" + transB);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void alphaBetaAndLeadingDimensions(Precision p) {
        ScalarGemm gemm = new ScalarGemm(p);
        // A stored with lda = 4 (one padding column), C a 2×2 block inside a 2×3 buffer at offset 1.
        MemorySegment a = p.of(arena, 1, 2, 3, -1, 4, 5, 6, -1);
        MemorySegment b = p.of(arena, B);
        MemorySegment c = p.of(arena, 9, 1, 1, 9, 1, 1, 9);
        gemm.gemm(false, false, 2, 2, 3, 2f, a, 0, 4, b, 0, 2, 0.5f, c, 1, 3);
        assertArrayEquals(new double[] {9, 116.5, 128.5, 9, 278.5, 308.5, 9}, p.toArray(c, 0, 7));
    }

    @Test
    void betaZeroIgnoresNaNAlreadyInC() {
        Precision p = Precision.F32;
        MemorySegment c = p.of(arena, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        new ScalarGemm().gemm(false, false, 2, 2, 3, 1f, p.of(arena, A), 0, 3, p.of(arena, B), 0, 2, 0f, c, 0, 2);
        assertArrayEquals(PRODUCT, p.toArray(c, 0, 4));
    }

    @Test
    void f64AccumulatesBeyondFloatPrecision() {
        Precision p = Precision.F64;
        // 1 + 1e-10 is not representable in fp32; in F64 the product keeps it.
        MemorySegment a = p.of(arena, 1 + 1e-10), b = p.of(arena, 1), c = p.allocate(arena, 1);
        new ScalarGemm(p).gemm(false, false, 1, 1, 1, 1f, a, 0, 1, b, 0, 1, 0f, c, 0, 1);
        assertEquals(1 + 1e-10, p.get(c, 0));
        assertEquals(Precision.F32, new ScalarGemm().precision());
    }
}
