package amalgam.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled heart of {@link VectorGemm}: one {@value #MR}×{@link #NR} block of C from a packed
 * {@value #MR}-row sliver of A and a packed {@link #NR}-column sliver of B.
 *
 * <p>{@link #NR} is {@link VectorIsa#tileVectors()} vectors of the preferred species, chosen at start-up for the
 * register file: 6×16 with AVX2 ({@link TwoVectorTile}), 6×64 with AVX-512 ({@link FourVectorTile}), 6×8 or
 * 6×16 with 128-bit vectors. The branch below is on a static final, so C2 compiles only the chosen kernel.
 */
final class MicroKernel {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /** Rows of C per tile: the number of A values broadcast per step of k. */
    static final int MR = 6;
    /** Vectors of B per step of k, and of C per tile row. */
    static final int VECTORS = VectorIsa.CURRENT.tileVectors();
    /** Columns of C per tile. */
    static final int NR = VECTORS * LANES;

    private MicroKernel() {}

    /**
     * {@code tile = Apanel · Bpanel}, where the A panel holds MR values per step of k from {@code aStart}
     * and the B panel NR values per step from {@code bStart}; the tile is MR rows of NR floats.
     *
     * <p>The result goes to a small L1-resident tile rather than straight into C: applying alpha and beta
     * here made the method too big for C2 to inline its helpers, and the vectors then got boxed.
     */
    static void multiply(int kc, float[] a, int aStart, float[] b, int bStart, float[] tile) {
        if (VECTORS == 4) FourVectorTile.multiply(kc, a, aStart, b, bStart, tile);
        else TwoVectorTile.multiply(kc, a, aStart, b, bStart, tile);
    }
}
