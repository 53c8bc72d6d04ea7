package amalgam.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled heart of {@link VectorGemm}: one {@link #MR}×{@link #NR} block of C from a packed
 * {@link #MR}-row sliver of A and a packed {@link #NR}-column sliver of B.
 *
 * <p>The shape is chosen at start-up by {@link VectorIsa} for the register file: 6×2 vectors
 * ({@link SixRowTile}) with 32 registers, 4×2 ({@link FourRowTile}) with 16. {@link #MR} is a static final, so
 * C2 folds the branch below and every loop bound that uses it, and compiles only the chosen kernel.
 */
final class MicroKernel {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /** Rows of C per tile: the number of A values broadcast per step of k. */
    static final int MR = VectorIsa.CURRENT.tileRows();
    /** Columns of C per tile: two vectors. */
    static final int NR = 2 * LANES;

    private MicroKernel() {}

    /**
     * {@code tile = Apanel · Bpanel}, where the A panel holds MR values per step of k from {@code aStart}
     * and the B panel NR values per step from {@code bStart}; the tile is MR rows of NR floats.
     *
     * <p>The result goes to a small L1-resident tile rather than straight into C: applying alpha and beta
     * here made the method too big for C2 to inline its helpers, and the vectors then got boxed.
     */
    static void multiply(int kc, float[] a, int aStart, float[] b, int bStart, float[] tile) {
        if (MR == FourRowTile.ROWS) FourRowTile.multiply(kc, a, aStart, b, bStart, tile);
        else SixRowTile.multiply(kc, a, aStart, b, bStart, tile);
    }
}
