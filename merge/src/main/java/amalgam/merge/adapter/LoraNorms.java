package amalgam.merge.adapter;

import amalgam.kernels.FloatSegments;
import java.lang.foreign.Arena;
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

    /** Floats read from the file at a time by {@link #of(LoraAdapter, LoraModule, Arena)}: 4 MB. */
    static final int BLOCK_FLOATS = 1 << 20;

    /** Norms of A (rank×in), B (out×rank), both row-major fp32, and of scaling·BA. Accumulates in double. */
    public static LoraNorms of(MemorySegment a, MemorySegment b, int rank, long in, long out, double scaling) {
        double[] gramA = new double[rank * rank];
        addRowGram(a, rank, in, gramA);
        double[] gramB = new double[rank * rank];
        addColumnGram(b, out, rank, gramB);
        return fromGrams(gramA, gramB, rank, scaling);
    }

    /**
     * The norms of {@code module} of {@code adapter}, read from its file in blocks of {@link #BLOCK_FLOATS}
     * (A by column blocks, B by row blocks) allocated from {@code scratch}: a factor larger than memory (lora_A
     * of [1, 2³¹] is 8 GB as fp32) costs one block, not the factor.
     */
    public static LoraNorms of(LoraAdapter adapter, LoraModule module, Arena scratch) {
        int rank = module.rank();
        long in = module.inFeatures(), out = module.outFeatures();
        double[] gramA = new double[rank * rank];
        // A block is rank × `lines` floats: `lines` columns of A, or rows of B.
        long lines = Math.max(1, BLOCK_FLOATS / rank);
        MemorySegment block = FloatSegments.allocate(scratch, rank * Math.min(lines, Math.max(in, out)));
        for (long first = 0; first < in; first += lines) {
            long width = Math.min(lines, in - first);
            for (int i = 0; i < rank; i++) {
                MemorySegment row = block.asSlice(i * width * Float.BYTES, width * Float.BYTES);
                adapter.readBlock(adapter.tensorA(module), i * in + first, width, row);
            }
            addRowGram(block, rank, width, gramA);
        }
        double[] gramB = new double[rank * rank];
        for (long first = 0; first < out; first += lines) {
            long height = Math.min(lines, out - first);
            adapter.readBlock(adapter.tensorB(module), first * rank, height * rank, block);
            addColumnGram(block, height, rank, gramB);
        }
        return fromGrams(gramA, gramB, rank, module.scaling());
    }

    /** gram += X·Xᵀ for X rows×cols (row-major): the Gram of A's rows over one block of columns. */
    private static void addRowGram(MemorySegment x, int rows, long cols, double[] gram) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j <= i; j++) {
                double dot = 0;
                for (long k = 0; k < cols; k++) {
                    dot += (double) FloatSegments.get(x, i * cols + k) * FloatSegments.get(x, j * cols + k);
                }
                gram[i * rows + j] += dot;
                if (j != i) gram[j * rows + i] += dot;
            }
        }
    }

    /** Lower triangle of gram += Xᵀ·X for X rows×cols (row-major): the Gram of B's columns over a block of rows. */
    private static void addColumnGram(MemorySegment x, long rows, int cols, double[] gram) {
        double[] row = new double[cols];
        for (long o = 0; o < rows; o++) {
            for (int i = 0; i < cols; i++) row[i] = FloatSegments.get(x, o * cols + i);
            for (int i = 0; i < cols; i++) {
                for (int j = 0; j <= i; j++) gram[i * cols + j] += row[i] * row[j];
            }
        }
    }

    private static LoraNorms fromGrams(double[] gramA, double[] gramB, int rank, double scaling) {
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
