package amalgam.kernels.cpu;

import jdk.incubator.vector.FloatVector;

import static amalgam.kernels.cpu.MicroKernel.LANES;
import static amalgam.kernels.cpu.MicroKernel.MR;
import static amalgam.kernels.cpu.MicroKernel.SPECIES;

/**
 * The 6×4-vector micro-kernel for 32-register ISAs (AVX-512): twenty-four accumulators, four B vectors and one
 * broadcast A value, 29 of the 32 registers, as named locals (C2 keeps locals in registers, not arrays). Each step
 * of k does 24 FMAs for 4 vector loads and 6 broadcasts. Its B panel holds 4·LANES floats per step of k.
 */
final class FourVectorTile {

    static final int COLUMNS = 4 * LANES;

    private FourVectorTile() {}

    static void multiply(int kc, float[] a, int aStart, float[] b, int bStart, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
        FloatVector c02 = FloatVector.zero(SPECIES), c03 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
        FloatVector c12 = FloatVector.zero(SPECIES), c13 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
        FloatVector c22 = FloatVector.zero(SPECIES), c23 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
        FloatVector c32 = FloatVector.zero(SPECIES), c33 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES), c41 = FloatVector.zero(SPECIES);
        FloatVector c42 = FloatVector.zero(SPECIES), c43 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES), c51 = FloatVector.zero(SPECIES);
        FloatVector c52 = FloatVector.zero(SPECIES), c53 = FloatVector.zero(SPECIES);
        int ai = aStart;
        int bi = bStart;
        for (int p = 0; p < kc; p++, ai += MR, bi += COLUMNS) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, b, bi + 3 * LANES);
            FloatVector av;
            av = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = av.fma(b0, c00); c01 = av.fma(b1, c01); c02 = av.fma(b2, c02); c03 = av.fma(b3, c03);
            av = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = av.fma(b0, c10); c11 = av.fma(b1, c11); c12 = av.fma(b2, c12); c13 = av.fma(b3, c13);
            av = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = av.fma(b0, c20); c21 = av.fma(b1, c21); c22 = av.fma(b2, c22); c23 = av.fma(b3, c23);
            av = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = av.fma(b0, c30); c31 = av.fma(b1, c31); c32 = av.fma(b2, c32); c33 = av.fma(b3, c33);
            av = FloatVector.broadcast(SPECIES, a[ai + 4]);
            c40 = av.fma(b0, c40); c41 = av.fma(b1, c41); c42 = av.fma(b2, c42); c43 = av.fma(b3, c43);
            av = FloatVector.broadcast(SPECIES, a[ai + 5]);
            c50 = av.fma(b0, c50); c51 = av.fma(b1, c51); c52 = av.fma(b2, c52); c53 = av.fma(b3, c53);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, LANES);
        c02.intoArray(tile, 2 * LANES);
        c03.intoArray(tile, 3 * LANES);
        c10.intoArray(tile, COLUMNS);
        c11.intoArray(tile, COLUMNS + LANES);
        c12.intoArray(tile, COLUMNS + 2 * LANES);
        c13.intoArray(tile, COLUMNS + 3 * LANES);
        c20.intoArray(tile, 2 * COLUMNS);
        c21.intoArray(tile, 2 * COLUMNS + LANES);
        c22.intoArray(tile, 2 * COLUMNS + 2 * LANES);
        c23.intoArray(tile, 2 * COLUMNS + 3 * LANES);
        c30.intoArray(tile, 3 * COLUMNS);
        c31.intoArray(tile, 3 * COLUMNS + LANES);
        c32.intoArray(tile, 3 * COLUMNS + 2 * LANES);
        c33.intoArray(tile, 3 * COLUMNS + 3 * LANES);
        c40.intoArray(tile, 4 * COLUMNS);
        c41.intoArray(tile, 4 * COLUMNS + LANES);
        c42.intoArray(tile, 4 * COLUMNS + 2 * LANES);
        c43.intoArray(tile, 4 * COLUMNS + 3 * LANES);
        c50.intoArray(tile, 5 * COLUMNS);
        c51.intoArray(tile, 5 * COLUMNS + LANES);
        c52.intoArray(tile, 5 * COLUMNS + 2 * LANES);
        c53.intoArray(tile, 5 * COLUMNS + 3 * LANES);
    }
}
