package amalgam.merge.adaptive;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
import amalgam.kernels.ElectedMean;
import amalgam.kernels.FloatSegments;
import amalgam.kernels.WorkerPool;
import amalgam.kernels.scalar.ScalarBackend;
import amalgam.merge.algorithms.ComputeContext;
import amalgam.merge.algorithms.DareSparsifier;
import amalgam.merge.algorithms.KeepMask;
import amalgam.merge.algorithms.MagnitudeSparsifier;
import amalgam.merge.algorithms.Semantics;
import amalgam.merge.algorithms.Sparsifier;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * One module's per-adapter terms Dᵢ such that the merge with weights α is ΔW(α) = Σ αᵢ Dᵢ, linear in α.
 * Task arithmetic: Dᵢ = ΔWᵢ. TIES and DARE-TIES (PEFT semantics, total sign election): the trim or drop mask,
 * the elected sign and the disjoint-mean divisor depend only on the unweighted deltas, so
 * Dᵢ = [sign(pᵢ) = elected]·pᵢ / max(#agreeing, 1) with pᵢ the sparsified ΔWᵢ, and for any α Σ αᵢ Dᵢ equals
 * PEFT's TIES/DARE-TIES with weights α. Dᵢ is the merge's own sweep with weight 1 for adapter i and 0 for the
 * others: the same sparsifiers and the same election kernel as {@code amalgam merge}, so there is one
 * implementation of election and disjoint mean. Values are the merge's fp32; the gradient checks differentiate
 * through α, for which the Dᵢ are constants.
 */
public final class MaskedDeltas {

    private MaskedDeltas() {}

    /** PEFT's TIES combination: total election on the unweighted values, disjoint mean. */
    private static final ElectedMean PEFT_TIES =
            new ElectedMean(ElectedMean.Election.TOTAL, false, ElectedMean.Divisor.AGREEING_COUNT, 1);

    // The terms are computed once before training: one thread, created once, is plenty.
    private static final ComputeContext SERIAL = new ComputeContext(new ScalarBackend(), WorkerPool.of(1));

    /**
     * Dᵢ stacked as a persistent tensor [adapters, rows·cols] in {@code dtype}.
     *
     * @param deltas each adapter's ΔW (rows × cols, row-major)
     * @param density TIES: fraction kept by magnitude; DARE-TIES: keep probability
     * @param stream selects DARE's random stream (use the module's index), with {@code seed}
     */
    public static Tensor of(MergeKind kind, List<double[]> deltas, int rows, int cols, double density, long seed,
                            long stream, DType dtype) {
        int count = deltas.size(), n = rows * cols;
        double[] stacked = new double[count * n];
        if (kind == MergeKind.TASK_ARITHMETIC) {
            for (int i = 0; i < count; i++) System.arraycopy(deltas.get(i), 0, stacked, i * n, n);
            return Tensor.of(dtype, stacked, count, n).toPersistent();
        }
        Sparsifier sparsifier = kind == MergeKind.TIES ? MagnitudeSparsifier.topDensity(SERIAL, density)
                : new DareSparsifier(SERIAL, density, Semantics.PEFT, KeepMask.seeded(seed));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] sparse = new MemorySegment[count];
            for (int i = 0; i < count; i++) {
                MemorySegment delta = floats(arena, deltas.get(i));
                sparse[i] = FloatSegments.allocate(arena, n);
                sparsifier.sparsify(rows, cols, delta, i, stream, sparse[i]);
            }
            MemorySegment term = FloatSegments.allocate(arena, n);
            double[] oneHot = new double[count];
            for (int i = 0; i < count; i++) {
                oneHot[i] = 1;
                SERIAL.backend().electedMean(PEFT_TIES, n, sparse, oneHot, term);
                oneHot[i] = 0;
                for (int e = 0; e < n; e++) stacked[i * n + e] = FloatSegments.get(term, e);
            }
        }
        return Tensor.of(dtype, stacked, count, n).toPersistent();
    }

    private static MemorySegment floats(Arena arena, double[] values) {
        MemorySegment segment = FloatSegments.allocate(arena, values.length);
        for (int e = 0; e < values.length; e++) FloatSegments.set(segment, e, (float) values[e]);
        return segment;
    }
}
