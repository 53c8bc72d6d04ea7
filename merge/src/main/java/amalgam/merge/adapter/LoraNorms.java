package amalgam.merge.adapter;

import amalgam.kernels.FloatSegments;
import java.lang.foreign.MemorySegment;

/**
 * Frobenius norms of a LoRA's factors and of its update, without forming the out×in matrix ΔW:
 * ‖s·BA‖²_F = s²·trace(AᵀBᵀBA) = s²·trace((BᵀB)(AAᵀ)), two r×r Gram matrices costing O((in+out)·r²).
 *
 * @param a     ‖A‖_F
 * @param b     ‖B‖_F
 * @param delta ‖scaling · B A‖_F
 */
public record LoraNorms(double a, double b, double delta) {

    /** Norms of A (rank×in), B (out×rank), both row-major fp32, and of scaling·BA. Accumulates in double. */
    public static LoraNorms of(MemorySegment a, MemorySegment b, int rank, long in, long out, double scaling) {
        double[] gramA = new double[rank * rank];
        for (int i = 0; i < rank; i++) {
            for (int j = 0; j <= i; j++) {
                double dot = 0;
                for (long k = 0; k < in; k++) {
                    dot += (double) FloatSegments.get(a, i * in + k) * FloatSegments.get(a, j * in + k);
                }
                gramA[i * rank + j] = dot;
                gramA[j * rank + i] = dot;
            }
        }
        double[] gramB = new double[rank * rank];
        double[] row = new double[rank];
        for (long o = 0; o < out; o++) {
            for (int i = 0; i < rank; i++) row[i] = FloatSegments.get(b, o * rank + i);
            for (int i = 0; i < rank; i++) {
                for (int j = 0; j <= i; j++) gramB[i * rank + j] += row[i] * row[j];
            }
        }
        double traceA = 0;
        double traceB = 0;
        double traceProduct = 0;
        for (int i = 0; i < rank; i++) {
            traceA += gramA[i * rank + i];
            traceB += gramB[i * rank + i];
            traceProduct += gramB[i * rank + i] * gramA[i * rank + i];
            // Only the lower triangle of gramB was filled; each off-diagonal pair counts twice by symmetry.
            for (int j = 0; j < i; j++) traceProduct += 2 * gramB[i * rank + j] * gramA[i * rank + j];
        }
        // Rounding can push a zero update's trace slightly negative.
        return new LoraNorms(Math.sqrt(traceA), Math.sqrt(traceB), Math.abs(scaling) * Math.sqrt(Math.max(0, traceProduct)));
    }
}
