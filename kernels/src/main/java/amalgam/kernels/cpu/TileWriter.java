package amalgam.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static amalgam.kernels.cpu.MicroKernel.LANES;
import static amalgam.kernels.cpu.MicroKernel.MR;
import static amalgam.kernels.cpu.MicroKernel.NR;
import static amalgam.kernels.cpu.MicroKernel.SPECIES;

/**
 * Folds a micro-kernel tile into C: {@code C = alpha · tile + beta · C}. As in BLAS, beta == 0 writes C
 * without reading it, so NaN or Inf already in C cannot leak into the result.
 */
final class TileWriter {

    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private TileWriter() {}

    /** Writes rows×cols of the tile at element {@code at} of C; full tiles take the vector path. */
    static void write(float[] tile, int rows, int cols, float alpha, float beta,
                      MemorySegment c, long at, int ldc) {
        if (rows == MR && cols == NR) writeFull(tile, alpha, beta, c, at, ldc);
        else writePartial(tile, rows, cols, alpha, beta, c, at, ldc);
    }

    private static void writeFull(float[] tile, float alpha, float beta, MemorySegment c, long at, int ldc) {
        FloatVector alphas = FloatVector.broadcast(SPECIES, alpha);
        FloatVector betas = FloatVector.broadcast(SPECIES, beta);
        boolean readC = beta != 0f;
        for (int r = 0; r < MR; r++) {
            long row = (at + (long) r * ldc) * Float.BYTES;
            for (int v = 0; v < NR; v += LANES) {
                long offset = row + (long) v * Float.BYTES;
                FloatVector sum = FloatVector.fromArray(SPECIES, tile, r * NR + v).mul(alphas);
                if (readC) sum = FloatVector.fromMemorySegment(SPECIES, c, offset, ORDER).fma(betas, sum);
                sum.intoMemorySegment(c, offset, ORDER);
            }
        }
    }

    /** A tile cut by the bottom or right edge of C: masked stores keep it in vectors. */
    private static void writePartial(float[] tile, int rows, int cols, float alpha, float beta,
                                     MemorySegment c, long at, int ldc) {
        FloatVector alphas = FloatVector.broadcast(SPECIES, alpha);
        FloatVector betas = FloatVector.broadcast(SPECIES, beta);
        boolean readC = beta != 0f;
        for (int v = 0; v < cols; v += LANES) {
            VectorMask<Float> columns = SPECIES.indexInRange(v, cols);
            for (int r = 0; r < rows; r++) {
                long offset = (at + (long) r * ldc + v) * Float.BYTES;
                FloatVector sum = FloatVector.fromArray(SPECIES, tile, r * NR + v).mul(alphas);
                if (readC) sum = FloatVector.fromMemorySegment(SPECIES, c, offset, ORDER, columns).fma(betas, sum);
                sum.intoMemorySegment(c, offset, ORDER, columns);
            }
        }
    }
}
