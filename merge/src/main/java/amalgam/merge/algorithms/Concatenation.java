package amalgam.merge.algorithms;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * {@code cat}: the exact merge. A stacks the rows w_i·s_i·A_i, B places the columns B_i side by side, so
 * B·A = Σ w_i s_i B_i A_i with rank Σ r_i. The weight and scale go on A only, so they are applied once.
 */
public final class Concatenation {

    private Concatenation() {}

    public static LowRankUpdate cat(List<LowRankUpdate> updates, double[] weights, Arena arena) {
        Weights.check(updates, weights);
        int out = updates.getFirst().outFeatures(), in = updates.getFirst().inFeatures();
        int rank = updates.stream().mapToInt(LowRankUpdate::rank).sum();
        DenseMatrix b = DenseMatrix.zeros(arena, out, rank);
        DenseMatrix a = DenseMatrix.zeros(arena, rank, in);
        int first = 0;
        for (int i = 0; i < updates.size(); i++) {
            LowRankUpdate u = updates.get(i);
            float c = (float) (weights[i] * u.scale());
            for (int row = 0; row < u.rank(); row++) {
                for (int col = 0; col < in; col++) a.set(first + row, col, c * u.a().get(row, col));
            }
            for (int row = 0; row < out; row++) {
                MemorySegment.copy(u.b().data(), (long) row * u.rank() * Float.BYTES,
                        b.data(), ((long) row * rank + first) * Float.BYTES, (long) u.rank() * Float.BYTES);
            }
            first += u.rank();
        }
        return new LowRankUpdate(b, a, 1);
    }
}
