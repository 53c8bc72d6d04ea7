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
            int j = from;
            for (; j + 2 <= to; j += 2) dotTwoRows(x, k, b, bOff + (long) j * ldb, ldb, m, alpha, beta, c, cOff + j, ldc);
            if (j < to) dotOneRow(x, k, b, bOff + (long) j * ldb, m, alpha, beta, c, cOff + j, ldc);
        } else {
            addRows(x, k, b, bOff, ldb, from, to, m, alpha, beta, c, cOff, ldc, ws.sums(MAX_ROWS * SUM_BLOCK));
        }
    }

    /**
     * The dot products of two rows of B (starting at element {@code row}, {@code ldw} apart) with the four rows
     * of x: eight independent FMA chains, each load of x serving both rows of B. The first m of each row's four
     * go to C's columns at {@code at} and {@code at + 1}.
     */
    private static void dotTwoRows(float[] x, int k, MemorySegment w, long row, int ldw, int m,
                                   float alpha, float beta, MemorySegment c, long at, int ldc) {
        long r = row * Float.BYTES, u = r + (long) ldw * Float.BYTES;
        int x1 = k, x2 = 2 * k, x3 = 3 * k;
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = FloatVector.zero(SPECIES);
        FloatVector s2 = FloatVector.zero(SPECIES), s3 = FloatVector.zero(SPECIES);
        FloatVector t0 = FloatVector.zero(SPECIES), t1 = FloatVector.zero(SPECIES);
        FloatVector t2 = FloatVector.zero(SPECIES), t3 = FloatVector.zero(SPECIES);
        int q = 0;
        for (int bound = SPECIES.loopBound(k); q < bound; q += LANES) {
            long offset = (long) q * Float.BYTES;
            FloatVector wr = FloatVector.fromMemorySegment(SPECIES, w, r + offset, ORDER);
            FloatVector wu = FloatVector.fromMemorySegment(SPECIES, w, u + offset, ORDER);
            FloatVector v = FloatVector.fromArray(SPECIES, x, q);
            s0 = v.fma(wr, s0);
            t0 = v.fma(wu, t0);
            v = FloatVector.fromArray(SPECIES, x, x1 + q);
            s1 = v.fma(wr, s1);
            t1 = v.fma(wu, t1);
            v = FloatVector.fromArray(SPECIES, x, x2 + q);
            s2 = v.fma(wr, s2);
            t2 = v.fma(wu, t2);
            v = FloatVector.fromArray(SPECIES, x, x3 + q);
            s3 = v.fma(wr, s3);
            t3 = v.fma(wu, t3);
        }
        float d0 = s0.reduceLanes(VectorOperators.ADD), e0 = t0.reduceLanes(VectorOperators.ADD);
        float d1 = s1.reduceLanes(VectorOperators.ADD), e1 = t1.reduceLanes(VectorOperators.ADD);
        float d2 = s2.reduceLanes(VectorOperators.ADD), e2 = t2.reduceLanes(VectorOperators.ADD);
        float d3 = s3.reduceLanes(VectorOperators.ADD), e3 = t3.reduceLanes(VectorOperators.ADD);
        for (; q < k; q++) {
            float wr = w.get(FLOAT, r + (long) q * Float.BYTES), wu = w.get(FLOAT, u + (long) q * Float.BYTES);
            d0 += x[q] * wr;
            e0 += x[q] * wu;
            d1 += x[x1 + q] * wr;
            e1 += x[x1 + q] * wu;
            d2 += x[x2 + q] * wr;
            e2 += x[x2 + q] * wu;
            d3 += x[x3 + q] * wr;
            e3 += x[x3 + q] * wu;
        }
        store(c, at, alpha, d0, beta);
        store(c, at + 1, alpha, e0, beta);
        store(c, at + ldc, alpha, d1, beta);
        store(c, at + ldc + 1, alpha, e1, beta);
        if (m > 2) {
            store(c, at + 2L * ldc, alpha, d2, beta);
            store(c, at + 2L * ldc + 1, alpha, e2, beta);
        }
        if (m > 3) {
            store(c, at + 3L * ldc, alpha, d3, beta);
            store(c, at + 3L * ldc + 1, alpha, e3, beta);
        }
    }

    /** The four dot products of the one row of B at element {@code row}; the first m go to C at {@code at}. */
    private static void dotOneRow(float[] x, int k, MemorySegment w, long row, int m,
                                  float alpha, float beta, MemorySegment c, long at, int ldc) {
        long r = row * Float.BYTES;
        int x1 = k, x2 = 2 * k, x3 = 3 * k;
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = FloatVector.zero(SPECIES);
        FloatVector s2 = FloatVector.zero(SPECIES), s3 = FloatVector.zero(SPECIES);
        int q = 0;
        for (int bound = SPECIES.loopBound(k); q < bound; q += LANES) {
            FloatVector wr = FloatVector.fromMemorySegment(SPECIES, w, r + (long) q * Float.BYTES, ORDER);
            s0 = FloatVector.fromArray(SPECIES, x, q).fma(wr, s0);
            s1 = FloatVector.fromArray(SPECIES, x, x1 + q).fma(wr, s1);
            s2 = FloatVector.fromArray(SPECIES, x, x2 + q).fma(wr, s2);
            s3 = FloatVector.fromArray(SPECIES, x, x3 + q).fma(wr, s3);
        }
        float d0 = s0.reduceLanes(VectorOperators.ADD), d1 = s1.reduceLanes(VectorOperators.ADD);
        float d2 = s2.reduceLanes(VectorOperators.ADD), d3 = s3.reduceLanes(VectorOperators.ADD);
        for (; q < k; q++) {
            float wr = w.get(FLOAT, r + (long) q * Float.BYTES);
            d0 += x[q] * wr;
            d1 += x[x1 + q] * wr;
            d2 += x[x2 + q] * wr;
            d3 += x[x3 + q] * wr;
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
            int q = 0;
            for (; q + 2 <= k; q += 2) addTwoRows(sums, width, w, column + q * stride, stride, x, k, q);
            if (q < k) addRow(sums, width, w, column + q * stride, x[q], x[k + q], x[2 * k + q], x[3 * k + q]);
            for (int r = 0; r < m; r++) {
                for (int t = 0; t < width; t++) {
                    store(c, cOff + (long) r * ldc + j0 + t, alpha, sums[r * SUM_BLOCK + t], beta);
                }
            }
        }
    }

    /**
     * sums[r][t] += x[r][q]·W[q][t] + x[r][q+1]·W[q+1][t] for the four rows r of sums: rows q and q + 1 of B
     * (the first at byte {@code row}, the next {@code stride} on) share each load and store of the sums.
     */
    private static void addTwoRows(float[] sums, int width, MemorySegment w, long row, long stride,
                                   float[] x, int k, int q) {
        long next = row + stride;
        FloatVector v0 = FloatVector.broadcast(SPECIES, x[q]), u0 = FloatVector.broadcast(SPECIES, x[q + 1]);
        FloatVector v1 = FloatVector.broadcast(SPECIES, x[k + q]), u1 = FloatVector.broadcast(SPECIES, x[k + q + 1]);
        FloatVector v2 = FloatVector.broadcast(SPECIES, x[2 * k + q]);
        FloatVector u2 = FloatVector.broadcast(SPECIES, x[2 * k + q + 1]);
        FloatVector v3 = FloatVector.broadcast(SPECIES, x[3 * k + q]);
        FloatVector u3 = FloatVector.broadcast(SPECIES, x[3 * k + q + 1]);
        int s1 = SUM_BLOCK, s2 = 2 * SUM_BLOCK, s3 = 3 * SUM_BLOCK;
        int t = 0;
        for (int bound = SPECIES.loopBound(width); t < bound; t += LANES) {
            long offset = (long) t * Float.BYTES;
            FloatVector wt = FloatVector.fromMemorySegment(SPECIES, w, row + offset, ORDER);
            FloatVector wn = FloatVector.fromMemorySegment(SPECIES, w, next + offset, ORDER);
            wn.fma(u0, wt.fma(v0, FloatVector.fromArray(SPECIES, sums, t))).intoArray(sums, t);
            wn.fma(u1, wt.fma(v1, FloatVector.fromArray(SPECIES, sums, s1 + t))).intoArray(sums, s1 + t);
            wn.fma(u2, wt.fma(v2, FloatVector.fromArray(SPECIES, sums, s2 + t))).intoArray(sums, s2 + t);
            wn.fma(u3, wt.fma(v3, FloatVector.fromArray(SPECIES, sums, s3 + t))).intoArray(sums, s3 + t);
        }
        for (; t < width; t++) {
            long offset = (long) t * Float.BYTES;
            float wt = w.get(FLOAT, row + offset), wn = w.get(FLOAT, next + offset);
            sums[t] += x[q] * wt + x[q + 1] * wn;
            sums[s1 + t] += x[k + q] * wt + x[k + q + 1] * wn;
            sums[s2 + t] += x[2 * k + q] * wt + x[2 * k + q + 1] * wn;
            sums[s3 + t] += x[3 * k + q] * wt + x[3 * k + q + 1] * wn;
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
