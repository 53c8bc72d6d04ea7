package amalgam.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import static amalgam.kernels.cpu.MicroKernel.LANES;
import static amalgam.kernels.cpu.MicroKernel.SPECIES;

/**
 * GEMM with two to {@value #MAX_ROWS} rows of C (a few tokens through a Linear layer): like {@link VectorGemv}
 * it streams B once, unpacked, but each float of B read now serves every row of op(A). The rows of op(A) are
 * gathered into {@value #MAX_ROWS} heap rows, zero beyond m, so one kernel serves every m: the wasted
 * multiply-adds cost nothing while memory is the bound.
 */
final class FewRowsGemv {

    static final int MAX_ROWS = 4;

    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Columns of sums per row of C kept while the rows of B go by: four rows of 4 KiB, L1-resident. */
    static final int SUM_BLOCK = 1024;

    private FewRowsGemv() {}

    /** Columns [from, to) of C = alpha·op(A)·op(B) + beta·C for 2 ≤ m ≤ MAX_ROWS and k ≥ 1, on this thread. */
    static void multiply(boolean transA, boolean transB, int m, int k, float alpha,
                         MemorySegment a, long aOff, int lda,
                         MemorySegment b, long bOff, int ldb,
                         float beta, MemorySegment c, long cOff, int ldc, int from, int to) {
        GemmWorkspace ws = GemmWorkspace.current();
        float[] x = ws.vector(MAX_ROWS * k);
        for (int r = 0; r < m; r++) {
            for (int q = 0; q < k; q++) {
                x[r * k + q] = a.getAtIndex(FLOAT, aOff + (transA ? (long) q * lda + r : (long) r * lda + q));
            }
        }
        // The unused rows' sums are never stored; zeros keep stale subnormals from slowing their FMAs.
        Arrays.fill(x, m * k, MAX_ROWS * k, 0f);
        if (transB) {
            for (int j = from; j < to; j++) {
                dotOneRow(x, k, b, bOff + (long) j * ldb, m, alpha, beta, c, cOff + j, ldc);
            }
        } else {
            addRows(x, k, b, bOff, ldb, from, to, m, alpha, beta, c, cOff, ldc, ws.sums(MAX_ROWS * SUM_BLOCK));
        }
    }

    /**
     * The four dot products of one row of B (starting at element {@code row}) with the four rows of x, two
     * accumulators each for eight independent FMA chains; the first m go to C's column at {@code at}.
     */
    private static void dotOneRow(float[] x, int k, MemorySegment w, long row, int m,
                                  float alpha, float beta, MemorySegment c, long at, int ldc) {
        long r = row * Float.BYTES;
        int x1 = k, x2 = 2 * k, x3 = 3 * k;
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = FloatVector.zero(SPECIES);
        FloatVector s2 = FloatVector.zero(SPECIES), s3 = FloatVector.zero(SPECIES);
        FloatVector t0 = FloatVector.zero(SPECIES), t1 = FloatVector.zero(SPECIES);
        FloatVector t2 = FloatVector.zero(SPECIES), t3 = FloatVector.zero(SPECIES);
        int q = 0;
        for (int bound = k - 2 * LANES; q <= bound; q += 2 * LANES) {
            FloatVector wa = FloatVector.fromMemorySegment(SPECIES, w, r + (long) q * Float.BYTES, ORDER);
            FloatVector wb = FloatVector.fromMemorySegment(SPECIES, w, r + (long) (q + LANES) * Float.BYTES, ORDER);
            s0 = FloatVector.fromArray(SPECIES, x, q).fma(wa, s0);
            s1 = FloatVector.fromArray(SPECIES, x, x1 + q).fma(wa, s1);
            s2 = FloatVector.fromArray(SPECIES, x, x2 + q).fma(wa, s2);
            s3 = FloatVector.fromArray(SPECIES, x, x3 + q).fma(wa, s3);
            t0 = FloatVector.fromArray(SPECIES, x, q + LANES).fma(wb, t0);
            t1 = FloatVector.fromArray(SPECIES, x, x1 + q + LANES).fma(wb, t1);
            t2 = FloatVector.fromArray(SPECIES, x, x2 + q + LANES).fma(wb, t2);
            t3 = FloatVector.fromArray(SPECIES, x, x3 + q + LANES).fma(wb, t3);
        }
        if (q <= k - LANES) { // one vector left: rows as short as a LoRA rank should not fall to scalar code
            FloatVector wa = FloatVector.fromMemorySegment(SPECIES, w, r + (long) q * Float.BYTES, ORDER);
            s0 = FloatVector.fromArray(SPECIES, x, q).fma(wa, s0);
            s1 = FloatVector.fromArray(SPECIES, x, x1 + q).fma(wa, s1);
            s2 = FloatVector.fromArray(SPECIES, x, x2 + q).fma(wa, s2);
            s3 = FloatVector.fromArray(SPECIES, x, x3 + q).fma(wa, s3);
            q += LANES;
        }
        float d0 = s0.add(t0).reduceLanes(VectorOperators.ADD);
        float d1 = s1.add(t1).reduceLanes(VectorOperators.ADD);
        float d2 = s2.add(t2).reduceLanes(VectorOperators.ADD);
        float d3 = s3.add(t3).reduceLanes(VectorOperators.ADD);
        for (; q < k; q++) {
            float wq = w.get(FLOAT, r + (long) q * Float.BYTES);
            d0 += x[q] * wq;
            d1 += x[x1 + q] * wq;
            d2 += x[x2 + q] * wq;
            d3 += x[x3 + q] * wq;
        }
        store(c, at, alpha, d0, beta);
        store(c, at + ldc, alpha, d1, beta);
        if (m > 2) store(c, at + 2L * ldc, alpha, d2, beta);
        if (m > 3) store(c, at + 3L * ldc, alpha, d3, beta);
    }

    /**
     * C[r][j] = alpha·Σ_q x[r][q]·B[q][j] + beta·C[r][j] for j in [from, to): each row of B, read once, is added
     * into the four rows' sums for a block of columns.
     */
    private static void addRows(float[] x, int k, MemorySegment w, long wOff, int ldw, int from, int to, int m,
                                float alpha, float beta, MemorySegment c, long cOff, int ldc, float[] sums) {
        long stride = (long) ldw * Float.BYTES;
        for (int j0 = from; j0 < to; j0 += SUM_BLOCK) {
            int width = Math.min(SUM_BLOCK, to - j0);
            Arrays.fill(sums, 0, MAX_ROWS * SUM_BLOCK, 0f);
            long column = (wOff + j0) * Float.BYTES;
            for (int q = 0; q < k; q++) {
                addRow(sums, width, w, column + q * stride, x[q], x[k + q], x[2 * k + q], x[3 * k + q]);
            }
            for (int r = 0; r < m; r++) {
                for (int t = 0; t < width; t++) {
                    store(c, cOff + (long) r * ldc + j0 + t, alpha, sums[r * SUM_BLOCK + t], beta);
                }
            }
        }
    }

    /** sums[r][t] += x_r·W[t] for the four rows r of sums, one row of B starting at byte {@code row}. */
    private static void addRow(float[] sums, int width, MemorySegment w, long row,
                               float x0, float x1, float x2, float x3) {
        FloatVector v0 = FloatVector.broadcast(SPECIES, x0), v1 = FloatVector.broadcast(SPECIES, x1);
        FloatVector v2 = FloatVector.broadcast(SPECIES, x2), v3 = FloatVector.broadcast(SPECIES, x3);
        int s1 = SUM_BLOCK, s2 = 2 * SUM_BLOCK, s3 = 3 * SUM_BLOCK;
        int t = 0;
        for (int bound = SPECIES.loopBound(width); t < bound; t += LANES) {
            FloatVector wt = FloatVector.fromMemorySegment(SPECIES, w, row + (long) t * Float.BYTES, ORDER);
            wt.fma(v0, FloatVector.fromArray(SPECIES, sums, t)).intoArray(sums, t);
            wt.fma(v1, FloatVector.fromArray(SPECIES, sums, s1 + t)).intoArray(sums, s1 + t);
            wt.fma(v2, FloatVector.fromArray(SPECIES, sums, s2 + t)).intoArray(sums, s2 + t);
            wt.fma(v3, FloatVector.fromArray(SPECIES, sums, s3 + t)).intoArray(sums, s3 + t);
        }
        for (; t < width; t++) {
            float wt = w.get(FLOAT, row + (long) t * Float.BYTES);
            sums[t] += x0 * wt;
            sums[s1 + t] += x1 * wt;
            sums[s2 + t] += x2 * wt;
            sums[s3 + t] += x3 * wt;
        }
    }

    /** c[at] = alpha·sum + beta·c[at]; beta == 0 never reads C, so NaN already there cannot leak. */
    private static void store(MemorySegment c, long at, float alpha, float sum, float beta) {
        float value = alpha * sum;
        if (beta != 0f) value += beta * c.getAtIndex(FLOAT, at);
        c.setAtIndex(FLOAT, at, value);
    }
}
