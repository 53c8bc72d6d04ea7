package amalgam.merge.adaptive;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
import amalgam.kernels.Backends;
import amalgam.kernels.FloatSegments;
import amalgam.kernels.WorkerPool;
import amalgam.merge.algorithms.ComputeContext;
import amalgam.merge.algorithms.MergeMethod;
import amalgam.merge.algorithms.MergeSettings;
import amalgam.merge.algorithms.TensorMerge;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * One module's per-adapter terms Dᵢ such that the merge with weights α is ΔW(α) = Σ αᵢ Dᵢ, linear in α.
 * Task arithmetic: Dᵢ = ΔWᵢ. TIES and DARE-TIES (PEFT semantics, total sign election): the trim or drop mask,
 * the elected sign and the disjoint-mean divisor depend only on the unweighted deltas, so
 * Dᵢ = [sign(pᵢ) = elected]·pᵢ / max(#agreeing, 1) with pᵢ the sparsified ΔWᵢ, and for any α Σ αᵢ Dᵢ equals
 * PEFT's TIES/DARE-TIES with weights α. Dᵢ is the method's own merge ({@link MergeMethod#tensorMerge}, as
 * {@code amalgam merge} runs it) with weight 1 for adapter i and 0 for the others, so there is one
 * implementation of sparsification, election and disjoint mean. Values are the merge's fp32; the gradient
 * checks differentiate through α, for which the Dᵢ are constants.
 */
public final class MaskedDeltas {

    private MaskedDeltas() {}

    // The terms are computed once before training, on one thread created once, by the Vector API sweeps: their
    // bits are the scalar reference's (VectorMergeSweepsTest), and the reference's sort-based trim had made this
    // setup a third of a 135M decoder's first minute of training (44 CPU-seconds, by perf).
    private static final WorkerPool ONE_THREAD = WorkerPool.of(1);
    private static final ComputeContext SERIAL = new ComputeContext(Backends.create("cpu", ONE_THREAD), ONE_THREAD);

    /**
     * Dᵢ stacked as a persistent tensor [adapters, rows·cols] in {@code dtype}.
     *
     * @param method a {@linkplain MergeMethod#isLearnable() learnable} method
     * @param deltas each adapter's ΔW (rows × cols, row-major)
     * @param density TIES: fraction kept by magnitude; DARE-TIES: keep probability
     * @param stream selects DARE's random stream (use the module's index), with {@code seed}
     */
    public static Tensor of(MergeMethod method, List<double[]> deltas, int rows, int cols, double density, long seed,
                            long stream, DType dtype) {
        if (!method.isLearnable()) {
            throw new IllegalArgumentException(method.cliName() + " has no weights to learn through the merge");
        }
        int count = deltas.size(), n = rows * cols;
        double[] stacked = new double[count * n];
        if (method == MergeMethod.LINEAR) { // Dᵢ = ΔWᵢ, kept in double
            for (int i = 0; i < count; i++) System.arraycopy(deltas.get(i), 0, stacked, i * n, n);
            return Tensor.of(dtype, stacked, count, n).toPersistent();
        }
        TensorMerge merge = method.tensorMerge(SERIAL, MergeSettings.defaults().withDensity(density).withSeed(seed));
        try (Arena arena = Arena.ofConfined()) {
            List<MemorySegment> segments = deltas.stream().map(d -> floats(arena, d)).toList();
            MemorySegment term = FloatSegments.allocate(arena, n);
            double[] oneHot = new double[count];
            for (int i = 0; i < count; i++) {
                oneHot[i] = 1;
                merge.merge(rows, cols, segments, oneHot, stream, term);
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
