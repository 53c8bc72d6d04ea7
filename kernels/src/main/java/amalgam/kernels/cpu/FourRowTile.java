package amalgam.kernels.cpu;

import jdk.incubator.vector.FloatVector;

import static amalgam.kernels.cpu.MicroKernel.LANES;
import static amalgam.kernels.cpu.MicroKernel.SPECIES;

/**
 * The 4×2-vector micro-kernel for 16-register ISAs (AVX2, 128-bit x86): eight accumulators, as many as two FMA
 * pipes of four cycles' latency need, two B vectors and one broadcast A value. The 6×2 tile's fifteen live
 * registers leave C2 too few of AVX2's sixteen: it measured 47–50 GFLOP/s there against this tile's 70–104 (the
 * kernel alone on L1-resident panels, one thread, Zen 5 with -XX:UseAVX=2, shared machine). Its A panel holds 4
 * values and its B panel 2·LANES floats per step of k.
 */
final class FourRowTile {

    static final int ROWS = 4;
    static final int COLUMNS = 2 * LANES;

    private FourRowTile() {}

    static void multiply(int kc, float[] a, int aStart, float[] b, int bStart, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
        int ai = aStart;
        int bi = bStart;
        for (int p = 0; p < kc; p++, ai += ROWS, bi += COLUMNS) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + LANES);
            FloatVector av = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, LANES);
        c10.intoArray(tile, COLUMNS);
        c11.intoArray(tile, COLUMNS + LANES);
        c20.intoArray(tile, 2 * COLUMNS);
        c21.intoArray(tile, 2 * COLUMNS + LANES);
        c30.intoArray(tile, 3 * COLUMNS);
        c31.intoArray(tile, 3 * COLUMNS + LANES);
    }
}
