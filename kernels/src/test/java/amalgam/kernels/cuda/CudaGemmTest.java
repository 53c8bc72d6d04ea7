package amalgam.kernels.cuda;

import amalgam.kernels.FloatSegments;
import amalgam.kernels.Gemm;
import amalgam.kernels.scalar.ScalarGemm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Both GPU GEMMs against ScalarGemm on awkward shapes, every transpose combination, padded leading
 * dimensions, alpha/beta and batches. Tolerances come from the standard error bound of a dot product:
 * |ĉ − c| ≤ γ · (|alpha|·Σ_p |a_ip·b_pj| + |beta·c_ij|) with γ = (k + 4)·2⁻²⁴ in FP32 (any summation order; the 4
 * covers the alpha/beta epilogue and the reference's own rounding), and γ = 2·2⁻¹¹ + (k + 4)·2⁻²⁴ in TF32 (each
 * input rounded to 10 mantissa bits), both with a factor 2 of margin.
 */
class CudaGemmTest {

    private CudaContext context;

    @BeforeEach
    void requireGpu() {
        context = CudaTestSupport.assumeCuda();
    }

    static Stream<Arguments> shapes() {
        List<Arguments> cases = new ArrayList<>();
        int[][] mnk = {{1, 1, 1}, {7, 33, 257}, {128, 128, 8}, {129, 127, 9}, {33, 1, 64}, {1, 300, 17}, {200, 150, 0}};
        for (int[] s : mnk) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (boolean aligned : new boolean[] {false, true}) cases.add(Arguments.of(ta, tb, s[0], s[1], s[2], aligned));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "fp32 transA={0} transB={1} m={2} n={3} k={4} aligned={5}")
    @MethodSource("shapes")
    void fp32MatchesScalar(boolean transA, boolean transB, int m, int n, int k, boolean aligned) {
        checkParity(CudaGemm.fp32(context), transA, transB, m, n, k, aligned, 1.5f, 0.5f, 2.0 * (k + 4) * 0x1p-24);
    }

    @ParameterizedTest(name = "tf32 transA={0} transB={1} m={2} n={3} k={4} aligned={5}")
    @MethodSource("shapes")
    void tf32MatchesScalarWithinTf32Rounding(boolean transA, boolean transB, int m, int n, int k, boolean aligned) {
        checkParity(CudaGemm.tf32(context), transA, transB, m, n, k, aligned, 1.5f, 0.5f,
                2.0 * (2 * 0x1p-11 + (k + 4) * 0x1p-24));
    }

    /**
     * aligned: offsets and leading dimensions divisible by 4, so the kernels take their float4 load path;
     * otherwise odd paddings and offsets force the scalar path.
     */
    private void checkParity(Gemm gemm, boolean transA, boolean transB, int m, int n, int k, boolean aligned,
                             float alpha, float beta, double gamma) {
        try (Arena arena = Arena.ofConfined()) {
            int aRows = transA ? k : m, aCols = transA ? m : k, bRows = transB ? n : k, bCols = transB ? k : n;
            int lda = aligned ? roundUp4(aCols) : aCols + 3, ldb = aligned ? roundUp4(bCols) : bCols + 1, ldc = n + 2;
            long aOff = aligned ? 4 : 5, bOff = aligned ? 8 : 3, cOff = 7;
            MemorySegment a = CudaTestSupport.random(arena, aOff + (long) Math.max(aRows, 1) * lda, 1);
            MemorySegment b = CudaTestSupport.random(arena, bOff + (long) Math.max(bRows, 1) * ldb, 2);
            MemorySegment c = CudaTestSupport.random(arena, cOff + (long) m * ldc, 3);
            MemorySegment expected = CudaTestSupport.copy(arena, c);
            new ScalarGemm().gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, expected, cOff, ldc);
            MemorySegment bound = absoluteProducts(arena, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                    beta, c, cOff, ldc);
            MemorySegment actual = CudaTestSupport.copy(arena, c);
            gemm.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, actual, cOff, ldc);
            for (long i = 0; i < FloatSegments.length(c); i++) {
                long rel = i - cOff;
                boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
                float e = FloatSegments.get(expected, i), got = FloatSegments.get(actual, i);
                if (!inside) {
                    assertEquals(FloatSegments.get(c, i), got, "element " + i + " outside C was changed");
                } else if (Math.abs(got - e) > gamma * FloatSegments.get(bound, i) + 1e-30) {
                    fail(gemm.name() + ": C[" + rel / ldc + "][" + rel % ldc + "] expected " + e + " but was " + got
                            + " (bound " + gamma * FloatSegments.get(bound, i) + ")");
                }
            }
        }
    }

    private static int roundUp4(int x) {
        return Math.max(4, (x + 3) / 4 * 4);
    }

    /** |alpha|·Σ|a||b| + |beta·c| per output: the scale the rounding error is measured against. */
    private static MemorySegment absoluteProducts(Arena arena, boolean transA, boolean transB, int m, int n, int k,
                                                  float alpha, MemorySegment a, long aOff, int lda,
                                                  MemorySegment b, long bOff, int ldb, float beta,
                                                  MemorySegment c, long cOff, int ldc) {
        MemorySegment absA = abs(arena, a), absB = abs(arena, b), bound = abs(arena, c);
        new ScalarGemm().gemm(transA, transB, m, n, k, Math.abs(alpha), absA, aOff, lda, absB, bOff, ldb,
                Math.abs(beta), bound, cOff, ldc);
        return bound;
    }

    private static MemorySegment abs(Arena arena, MemorySegment x) {
        MemorySegment out = CudaTestSupport.copy(arena, x);
        for (long i = 0; i < FloatSegments.length(out); i++) FloatSegments.set(out, i, Math.abs(FloatSegments.get(out, i)));
        return out;
    }

    @Test
    void betaZeroNeverReadsC() {
        for (CudaGemm gemm : List.of(CudaGemm.fp32(context), CudaGemm.tf32(context))) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment a = FloatSegments.of(arena, 1, 2, 3, 4);
                MemorySegment b = FloatSegments.of(arena, 1, 0, 0, 1);
                MemorySegment c = FloatSegments.of(arena, Float.NaN, Float.POSITIVE_INFINITY, Float.NaN, 1e30f);
                gemm.gemm(false, false, 2, 2, 2, 2f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
                assertEquals(List.of(2f, 4f, 6f, 8f), List.of(FloatSegments.get(c, 0), FloatSegments.get(c, 1),
                        FloatSegments.get(c, 2), FloatSegments.get(c, 3)), gemm.name());
            }
        }
    }

    @Test
    void batchedWithASharedOperandMatchesOneByOne() {
        int m = 9, n = 130, k = 20, batch = 3;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = CudaTestSupport.random(arena, (long) batch * m * k, 4);
            MemorySegment b = CudaTestSupport.random(arena, (long) k * n, 5); // stride 0: one B for all
            MemorySegment expected = FloatSegments.allocate(arena, (long) batch * m * n);
            MemorySegment actual = FloatSegments.allocate(arena, (long) batch * m * n);
            new ScalarGemm().gemmBatched(false, false, m, n, k, 1f, a, 0, k, (long) m * k, b, 0, n, 0,
                    0f, expected, 0, n, (long) m * n, batch);
            CudaGemm.fp32(context).gemmBatched(false, false, m, n, k, 1f, a, 0, k, (long) m * k, b, 0, n, 0,
                    0f, actual, 0, n, (long) m * n, batch);
            CudaTestSupport.assertClose("batched", expected, actual, 0, (long) batch * m * n, 1e-5, 1e-5);
        }
    }

    @Test
    void onDeviceOperandsGiveTheSameProduct() {
        int m = 65, n = 130, k = 33;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = CudaTestSupport.random(arena, (long) m * k, 6), b = CudaTestSupport.random(arena, (long) k * n, 7);
            MemorySegment expected = FloatSegments.allocate(arena, (long) m * n), actual = FloatSegments.allocate(arena, (long) m * n);
            new ScalarGemm().gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, expected, 0, n);
            try (CudaContext.Scope scope = context.enter();
                 Staged da = Staged.upload(context, a, 0, (long) m * k);
                 Staged db = Staged.upload(context, b, 0, (long) k * n);
                 Staged dc = Staged.allocate(context, (long) m * n)) {
                CudaGemm.fp32(context).gemmOnDevice(false, false, m, n, k, 1f, da.at(), k, db.at(), n, 0f, dc.at(), n);
                dc.download(context, (long) m * n, actual, 0);
            }
            CudaTestSupport.assertClose("gemmOnDevice", expected, actual, 0, (long) m * n, 1e-5, 1e-5);
        }
    }
}
