package amalgam.kernels.cpu;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Both register tiles against a plain triple loop on packed panels, whichever one this JVM's GEMM uses, so the
 * 32-register tile is checked on an AVX2 machine and the 16-register tile on an AVX-512 one (with this JVM's
 * vector length).
 */
class MicroKernelTest {

    private static final int[] DEPTHS = {1, 7, 33, 257};

    @Test
    void sixRowTileMatchesTheReference() {
        for (int kc : DEPTHS) check(kc, SixRowTile.ROWS, SixRowTile.COLUMNS, SixRowTile::multiply);
    }

    @Test
    void fourRowTileMatchesTheReference() {
        for (int kc : DEPTHS) check(kc, FourRowTile.ROWS, FourRowTile.COLUMNS, FourRowTile::multiply);
    }

    interface Tile {
        void multiply(int kc, float[] a, int aStart, float[] b, int bStart, float[] tile);
    }

    private static void check(int kc, int rows, int columns, Tile kernel) {
        SplittableRandom random = new SplittableRandom(kc);
        int aStart = 3, bStart = 5; // panels that do not start at 0, as in a packed block
        float[] a = new float[aStart + kc * rows];
        float[] b = new float[bStart + kc * columns];
        for (int i = 0; i < a.length; i++) a[i] = (float) (random.nextDouble() * 2 - 1);
        for (int i = 0; i < b.length; i++) b[i] = (float) (random.nextDouble() * 2 - 1);
        float[] tile = new float[rows * columns];
        java.util.Arrays.fill(tile, Float.NaN); // every element must be written, none accumulated onto
        kernel.multiply(kc, a, aStart, b, bStart, tile);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < columns; j++) {
                double expected = 0;
                for (int p = 0; p < kc; p++) {
                    expected += (double) a[aStart + p * rows + r] * b[bStart + p * columns + j];
                }
                assertEquals(expected, tile[r * columns + j], 1e-5 * kc,
                        "kc=" + kc + " rows=" + rows + " columns=" + columns + " row " + r + " column " + j);
            }
        }
    }
}
