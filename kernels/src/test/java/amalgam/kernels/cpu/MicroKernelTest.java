package amalgam.kernels.cpu;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Both register tiles against a plain triple loop on packed panels, whichever one this JVM's GEMM uses, so the
 * AVX-512 tile is checked on an AVX2 machine and the AVX2 tile on an AVX-512 one (with this JVM's vector length).
 */
class MicroKernelTest {

    private static final int[] DEPTHS = {1, 7, 33, 257};

    @Test
    void twoVectorTileMatchesTheReference() {
        for (int kc : DEPTHS) check(kc, TwoVectorTile.COLUMNS, TwoVectorTile::multiply);
    }

    @Test
    void fourVectorTileMatchesTheReference() {
        for (int kc : DEPTHS) check(kc, FourVectorTile.COLUMNS, FourVectorTile::multiply);
    }

    interface Tile {
        void multiply(int kc, float[] a, int aStart, float[] b, int bStart, float[] tile);
    }

    private static void check(int kc, int columns, Tile kernel) {
        SplittableRandom random = new SplittableRandom(kc);
        int aStart = 3, bStart = 5; // panels that do not start at 0, as in a packed block
        float[] a = new float[aStart + kc * MicroKernel.MR];
        float[] b = new float[bStart + kc * columns];
        for (int i = 0; i < a.length; i++) a[i] = (float) (random.nextDouble() * 2 - 1);
        for (int i = 0; i < b.length; i++) b[i] = (float) (random.nextDouble() * 2 - 1);
        float[] tile = new float[MicroKernel.MR * columns];
        java.util.Arrays.fill(tile, Float.NaN); // every element must be written, none accumulated onto
        kernel.multiply(kc, a, aStart, b, bStart, tile);
        for (int r = 0; r < MicroKernel.MR; r++) {
            for (int j = 0; j < columns; j++) {
                double expected = 0;
                for (int p = 0; p < kc; p++) {
                    expected += (double) a[aStart + p * MicroKernel.MR + r] * b[bStart + p * columns + j];
                }
                assertEquals(expected, tile[r * columns + j], 1e-5 * kc,
                        "kc=" + kc + " columns=" + columns + " row " + r + " column " + j);
            }
        }
    }
}
