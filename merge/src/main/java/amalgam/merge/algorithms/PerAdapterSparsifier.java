package amalgam.merge.algorithms;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.DoubleFunction;

/**
 * A sparsifier per adapter, for merges whose adapters keep different densities (mergekit's per-model
 * {@code density}). Sparsifiers are told which adapter a tensor belongs to, so each one's random stream is the
 * same as it would be with that density for everyone.
 */
final class PerAdapterSparsifier implements Sparsifier {

    private final Sparsifier[] byAdapter;

    private PerAdapterSparsifier(Sparsifier[] byAdapter) {
        this.byAdapter = byAdapter;
    }

    /** One sparsifier when every density is the same (so the merge keeps its shortcuts), else one per adapter. */
    static Sparsifier of(double[] densities, DoubleFunction<Sparsifier> forDensity) {
        if (densities.length > 0 && Arrays.stream(densities).allMatch(d -> Double.compare(d, densities[0]) == 0)) {
            return forDensity.apply(densities[0]);
        }
        Sparsifier[] byAdapter = new Sparsifier[densities.length];
        for (int i = 0; i < densities.length; i++) byAdapter[i] = forDensity.apply(densities[i]);
        return new PerAdapterSparsifier(byAdapter);
    }

    @Override
    public void sparsify(int rows, int cols, MemorySegment t, int adapter, long stream, MemorySegment out) {
        if (adapter >= byAdapter.length) {
            throw new IllegalArgumentException("density: " + byAdapter.length + " densities for adapter " + (adapter + 1));
        }
        byAdapter[adapter].sparsify(rows, cols, t, adapter, stream, out);
    }
}
