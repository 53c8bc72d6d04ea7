package amalgam.merge.pipeline;

import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.algorithms.DenseMatrix;
import amalgam.merge.algorithms.LowRankUpdate;
import java.lang.foreign.Arena;

/** One module of an adapter as the update the algorithms work on: its factors as fp32, with its own scaling. */
public final class ModuleUpdates {

    private ModuleUpdates() {}

    /** Loads A and B of {@code m} into {@code arena}; the caller has checked that its dimensions fit an int. */
    public static LowRankUpdate load(LoraAdapter adapter, LoraModule m, Arena arena) {
        DenseMatrix a = new DenseMatrix(m.rank(), Math.toIntExact(m.inFeatures()), adapter.loadA(m, arena));
        DenseMatrix b = new DenseMatrix(Math.toIntExact(m.outFeatures()), m.rank(), adapter.loadB(m, arena));
        return new LowRankUpdate(b, a, m.scaling());
    }

    /** Whether {@link #load} can hold the module: the algorithms index rows and columns by int. */
    public static boolean fitsInt(LoraModule m) {
        return m.inFeatures() <= Integer.MAX_VALUE && m.outFeatures() <= Integer.MAX_VALUE;
    }
}
