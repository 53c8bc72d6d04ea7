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
 * GEMM with one row or one column of C (m == 1 or n == 1): a matrix–vector product. It does about one
 * multiply-add per float of the matrix it reads, so it is bound by memory bandwidth, not by FMA throughput: the
 * matrix W is streamed straight from its segment, never packed, and only the vector x (k floats) is copied, into
 * a heap array.
 *
 * <p>With m == 1, y is C's row, x is op(A)'s row and W is B; with n == 1, y is C's column, x is op(B)'s column
 * and W is A. Two layouts of W: when W's rows belong to the outputs (B with transB, the Linear layer's out×in
 * weight; A without transA), each output is a dot product over a contiguous row; otherwise W's rows belong to
 * the k inputs, and they are added, scaled by x, into a block of sums that stays in L1. Either way a run of
 * outputs [from, to) reads only its own part of W, so threads given disjoint runs stream disjoint parts of W.
 */
final class VectorGemv {

    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Outputs a dot-product pass computes together: four rows of W share every load of x. */
    static final int ROWS_PER_PASS = 4;
    /** Columns of sums kept while the rows of W go by (8 KiB: L1-resident next to the streamed rows). */
    static final int SUM_BLOCK = 2048;

    private VectorGemv() {}

    /**
     * Whether a product of this shape takes this path: one column of C, or up to {@link FewRowsGemv#MAX_ROWS}
     * rows (two or more handed on to {@link FewRowsGemv}).
     */
    static boolean applies(int m, int n) {
        return m <= FewRowsGemv.MAX_ROWS || n == 1;
    }

    /** Whether the outputs are C's rows (one column of C) rather than its columns. */
    private static boolean columnOfC(int m, int n) {
        return n == 1 && m > 1;
    }

    /** The number of outputs: C's rows when it is one column, else its columns. */
    static int outputs(int m, int n) {
        return columnOfC(m, n) ? m : n;
    }

    /** Whether each output is a dot product over a contiguous row of W, rather than a sum of W's rows. */
    static boolean dotsRows(boolean transA, boolean transB, int m, int n) {
        return columnOfC(m, n) ? !transA : transB;
    }

    /**
     * Outputs [from, to) of C = alpha·op(A)·op(B) + beta·C, on the calling thread, for a shape that
     * {@link #applies} and k ≥ 1; the outputs are C's rows when it is one column, else its columns.
     */
    static void multiply(boolean transA, boolean transB, int m, int n, int k, float alpha,
                         MemorySegment a, long aOff, int lda,
                         MemorySegment b, long bOff, int ldb,
                         float beta, MemorySegment c, long cOff, int ldc, int from, int to) {
        if (m > 1 && !columnOfC(m, n)) {
            FewRowsGemv.multiply(transA, transB, m, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc,
                    from, to);
            return;
        }
        GemmWorkspace ws = GemmWorkspace.current();
        float[] x = ws.vector(k);
        boolean rowOfC = m == 1;
        if (rowOfC) gather(a, aOff, transA ? lda : 1, k, x);
        else gather(b, bOff, transB ? 1 : ldb, k, x);
        MemorySegment w = rowOfC ? b : a;
        long wOff = rowOfC ? bOff : aOff;
        int ldw = rowOfC ? ldb : lda;
        long incY = rowOfC ? 1 : ldc;
        if (dotsRows(transA, transB, m, n)) {
            dotRows(x, k, w, wOff, ldw, from, to, alpha, beta, c, cOff, incY);
        } else {
            addRows(x, k, w, wOff, ldw, from, to, alpha, beta, c, cOff, incY, ws);
        }
    }

    /** x[q] = v[vOff + q·inc] for q < k. */
    private static void gather(MemorySegment v, long vOff, long inc, int k, float[] x) {
        if (inc == 1) {
            MemorySegment.copy(v, FLOAT, vOff * Float.BYTES, x, 0, k);
        } else {
            for (int q = 0; q < k; q++) x[q] = v.getAtIndex(FLOAT, vOff + q * inc);
        }
    }

    /** y[j] = alpha·Σ_q W[j][q]·x[q] + beta·y[j] for j in [from, to), W row-major with row stride ldw. */
    private static void dotRows(float[] x, int k, MemorySegment w, long wOff, int ldw, int from, int to,
                                float alpha, float beta, MemorySegment y, long yOff, long incY) {
        int j = from;
        for (; j + ROWS_PER_PASS <= to; j += ROWS_PER_PASS) {
            dotFourRows(x, k, w, wOff + (long) j * ldw, ldw, alpha, beta, y, yOff + j * incY, incY);
        }
        for (; j < to; j++) {
            float sum = dot(x, k, w, wOff + (long) j * ldw);
            store(y, yOff + j * incY, alpha, sum, beta);
        }
    }

    /**
     * Four dot products with two accumulators each: eight independent FMA chains hide the FMA latency, and four
     * concurrent row streams keep the hardware prefetcher busy.
     */
    private static void dotFourRows(float[] x, int k, MemorySegment w, long row0, int ldw,
                                    float alpha, float beta, MemorySegment y, long at, long incY) {
        long stride = (long) ldw * Float.BYTES;
        long r0 = row0 * Float.BYTES, r1 = r0 + stride, r2 = r1 + stride, r3 = r2 + stride;
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = FloatVector.zero(SPECIES);
        FloatVector s2 = FloatVector.zero(SPECIES), s3 = FloatVector.zero(SPECIES);
        FloatVector t0 = FloatVector.zero(SPECIES), t1 = FloatVector.zero(SPECIES);
        FloatVector t2 = FloatVector.zero(SPECIES), t3 = FloatVector.zero(SPECIES);
        int q = 0;
        for (int bound = k - 2 * LANES; q <= bound; q += 2 * LANES) {
            FloatVector xa = FloatVector.fromArray(SPECIES, x, q);
            FloatVector xb = FloatVector.fromArray(SPECIES, x, q + LANES);
            long qa = (long) q * Float.BYTES, qb = qa + (long) LANES * Float.BYTES;
            s0 = FloatVector.fromMemorySegment(SPECIES, w, r0 + qa, ORDER).fma(xa, s0);
            s1 = FloatVector.fromMemorySegment(SPECIES, w, r1 + qa, ORDER).fma(xa, s1);
            s2 = FloatVector.fromMemorySegment(SPECIES, w, r2 + qa, ORDER).fma(xa, s2);
            s3 = FloatVector.fromMemorySegment(SPECIES, w, r3 + qa, ORDER).fma(xa, s3);
            t0 = FloatVector.fromMemorySegment(SPECIES, w, r0 + qb, ORDER).fma(xb, t0);
            t1 = FloatVector.fromMemorySegment(SPECIES, w, r1 + qb, ORDER).fma(xb, t1);
            t2 = FloatVector.fromMemorySegment(SPECIES, w, r2 + qb, ORDER).fma(xb, t2);
            t3 = FloatVector.fromMemorySegment(SPECIES, w, r3 + qb, ORDER).fma(xb, t3);
        }
        if (q <= k - LANES) { // one vector left: rows as short as a LoRA rank should not fall to scalar code
            FloatVector xa = FloatVector.fromArray(SPECIES, x, q);
            long qa = (long) q * Float.BYTES;
            s0 = FloatVector.fromMemorySegment(SPECIES, w, r0 + qa, ORDER).fma(xa, s0);
            s1 = FloatVector.fromMemorySegment(SPECIES, w, r1 + qa, ORDER).fma(xa, s1);
            s2 = FloatVector.fromMemorySegment(SPECIES, w, r2 + qa, ORDER).fma(xa, s2);
            s3 = FloatVector.fromMemorySegment(SPECIES, w, r3 + qa, ORDER).fma(xa, s3);
            q += LANES;
        }
        float d0 = s0.add(t0).reduceLanes(VectorOperators.ADD);
        float d1 = s1.add(t1).reduceLanes(VectorOperators.ADD);
        float d2 = s2.add(t2).reduceLanes(VectorOperators.ADD);
        float d3 = s3.add(t3).reduceLanes(VectorOperators.ADD);
        for (; q < k; q++) {
            float xq = x[q];
            long offset = (long) q * Float.BYTES;
            d0 += w.get(FLOAT, r0 + offset) * xq;
            d1 += w.get(FLOAT, r1 + offset) * xq;
            d2 += w.get(FLOAT, r2 + offset) * xq;
            d3 += w.get(FLOAT, r3 + offset) * xq;
        }
        store(y, at, alpha, d0, beta);
        store(y, at + incY, alpha, d1, beta);
        store(y, at + 2 * incY, alpha, d2, beta);
        store(y, at + 3 * incY, alpha, d3, beta);
    }

    /** Σ_q W[row][q]·x[q] for the one row starting at element {@code row}. */
    private static float dot(float[] x, int k, MemorySegment w, long row) {
        long r = row * Float.BYTES;
        FloatVector s = FloatVector.zero(SPECIES);
        int q = 0;
        for (int bound = SPECIES.loopBound(k); q < bound; q += LANES) {
            s = FloatVector.fromMemorySegment(SPECIES, w, r + (long) q * Float.BYTES, ORDER)
                    .fma(FloatVector.fromArray(SPECIES, x, q), s);
        }
        float sum = s.reduceLanes(VectorOperators.ADD);
        for (; q < k; q++) sum += w.get(FLOAT, r + (long) q * Float.BYTES) * x[q];
        return sum;
    }

    /**
     * y[j] = alpha·Σ_q x[q]·W[q][j] + beta·y[j] for j in [from, to), W row-major with row stride ldw. The sums
     * for a block of columns stay in a heap array while every row of W passes over it, four rows at a time so
     * each load and store of the sums serves four rows.
     */
    private static void addRows(float[] x, int k, MemorySegment w, long wOff, int ldw, int from, int to,
                                float alpha, float beta, MemorySegment y, long yOff, long incY, GemmWorkspace ws) {
        float[] sums = ws.sums(SUM_BLOCK);
        long stride = (long) ldw * Float.BYTES;
        for (int j0 = from; j0 < to; j0 += SUM_BLOCK) {
            int width = Math.min(SUM_BLOCK, to - j0);
            Arrays.fill(sums, 0, width, 0f);
            long column = (wOff + j0) * Float.BYTES;
            int q = 0;
            for (; q + ROWS_PER_PASS <= k; q += ROWS_PER_PASS) {
                addFourRows(sums, width, w, column + q * stride, stride, x[q], x[q + 1], x[q + 2], x[q + 3]);
            }
            for (; q < k; q++) addRow(sums, width, w, column + q * stride, x[q]);
            for (int t = 0; t < width; t++) store(y, yOff + (j0 + t) * incY, alpha, sums[t], beta);
        }
    }

    /** sums[t] += x0·W0[t] + x1·W1[t] + x2·W2[t] + x3·W3[t], the rows {@code stride} bytes apart. */
    private static void addFourRows(float[] sums, int width, MemorySegment w, long r0, long stride,
                                    float x0, float x1, float x2, float x3) {
        long r1 = r0 + stride, r2 = r1 + stride, r3 = r2 + stride;
        FloatVector v0 = FloatVector.broadcast(SPECIES, x0), v1 = FloatVector.broadcast(SPECIES, x1);
        FloatVector v2 = FloatVector.broadcast(SPECIES, x2), v3 = FloatVector.broadcast(SPECIES, x3);
        int t = 0;
        for (int bound = SPECIES.loopBound(width); t < bound; t += LANES) {
            long offset = (long) t * Float.BYTES;
            FloatVector s = FloatVector.fromArray(SPECIES, sums, t);
            s = FloatVector.fromMemorySegment(SPECIES, w, r0 + offset, ORDER).fma(v0, s);
            s = FloatVector.fromMemorySegment(SPECIES, w, r1 + offset, ORDER).fma(v1, s);
            s = FloatVector.fromMemorySegment(SPECIES, w, r2 + offset, ORDER).fma(v2, s);
            s = FloatVector.fromMemorySegment(SPECIES, w, r3 + offset, ORDER).fma(v3, s);
            s.intoArray(sums, t);
        }
        for (; t < width; t++) {
            long offset = (long) t * Float.BYTES;
            sums[t] += x0 * w.get(FLOAT, r0 + offset) + x1 * w.get(FLOAT, r1 + offset)
                    + x2 * w.get(FLOAT, r2 + offset) + x3 * w.get(FLOAT, r3 + offset);
        }
    }

    /** sums[t] += x0·W0[t] for one row starting at byte {@code r0}. */
    private static void addRow(float[] sums, int width, MemorySegment w, long r0, float x0) {
        FloatVector v0 = FloatVector.broadcast(SPECIES, x0);
        int t = 0;
        for (int bound = SPECIES.loopBound(width); t < bound; t += LANES) {
            long offset = (long) t * Float.BYTES;
            FloatVector.fromMemorySegment(SPECIES, w, r0 + offset, ORDER)
                    .fma(v0, FloatVector.fromArray(SPECIES, sums, t)).intoArray(sums, t);
        }
        for (; t < width; t++) sums[t] += x0 * w.get(FLOAT, r0 + (long) t * Float.BYTES);
    }

    /** y[at] = alpha·sum + beta·y[at]; beta == 0 never reads y, so NaN already there cannot leak. */
    private static void store(MemorySegment y, long at, float alpha, float sum, float beta) {
        float value = alpha * sum;
        if (beta != 0f) value += beta * y.getAtIndex(FLOAT, at);
        y.setAtIndex(FLOAT, at, value);
    }
}
