package amalgam.merge.adaptive;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
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
 * the elected sign and the disjoint-mean divisor are computed once from the unweighted deltas, so
 * Dᵢ = [sign(pᵢ) = elected]·pᵢ / max(#agreeing, 1) with pᵢ the sparsified ΔWᵢ. PEFT elects on unweighted
 * values, so for any α this equals PEFT's TIES/DARE-TIES with weights α exactly.
 */
public final class MaskedDeltas {

    private MaskedDeltas() {}

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
        double[][] sparse = new double[count][];
        for (int i = 0; i < count; i++) {
            sparse[i] = kind == MergeKind.TASK_ARITHMETIC ? deltas.get(i).clone()
                    : sparsify(sparsifier(kind, density, seed), deltas.get(i), rows, cols, i, stream,
                    kind == MergeKind.DARE_TIES && density > 0 && density < 1 ? 1 / density : 1);
        }
        double[] stacked = new double[count * n];
        for (int e = 0; e < n; e++) {
            if (kind == MergeKind.TASK_ARITHMETIC) {
                for (int i = 0; i < count; i++) stacked[i * n + e] = sparse[i][e];
                continue;
            }
            double votes = 0;
            for (int i = 0; i < count; i++) votes += sparse[i][e];
            double elected = votes >= 0 ? 1 : -1; // a sum of exactly 0 elects +, as the merge does
            int agreeing = 0;
            for (int i = 0; i < count; i++) if (Math.signum(sparse[i][e]) == elected) agreeing++;
            for (int i = 0; i < count; i++) {
                boolean member = Math.signum(sparse[i][e]) == elected;
                stacked[i * n + e] = member ? sparse[i][e] / Math.max(agreeing, 1) : 0;
            }
        }
        return Tensor.of(dtype, stacked, count, n).toPersistent();
    }

    private static Sparsifier sparsifier(MergeKind kind, double density, long seed) {
        ComputeContext ctx = new ComputeContext(new ScalarBackend(), SERIAL);
        return kind == MergeKind.TIES ? MagnitudeSparsifier.topDensity(ctx, density)
                : new DareSparsifier(ctx, density, Semantics.PEFT, KeepMask.seeded(seed));
    }

    // The modules are small (≤ 12,288 entries): one thread, created once, is plenty.
    private static final WorkerPool SERIAL = WorkerPool.of(1);

    /** Runs a float sparsifier for its mask; DARE's 1/d rescale is {@code rescale}. */
    private static double[] sparsify(Sparsifier sparsifier, double[] delta, int rows, int cols, int adapter,
                                     long stream, double rescale) {
        long n = (long) rows * cols;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = FloatSegments.allocate(arena, n), out = FloatSegments.allocate(arena, n);
            for (int e = 0; e < n; e++) FloatSegments.set(in, e, (float) delta[e]);
            sparsifier.sparsify(rows, cols, in, adapter, stream, out);
            double[] result = new double[(int) n];
            for (int e = 0; e < n; e++) {
                // The mask is what the float sparsifier kept; the values stay in double (F64 gradient checks).
                result[e] = FloatSegments.get(out, e) == 0f ? 0 : delta[e] * rescale;
            }
            return result;
        }
    }
}
