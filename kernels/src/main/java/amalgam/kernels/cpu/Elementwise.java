package amalgam.kernels.cpu;

import amalgam.kernels.FloatSegments;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static amalgam.kernels.cpu.VectorMath.S;

/**
 * Element access and the simplest vector loops (affine, fill). Offsets are in elements; each loop handles its
 * own scalar tail. {@link UnaryLoops} and {@link BinaryLoops} hold the per-op loops.
 */
final class Elementwise {

    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int LANES = S.length();

    private Elementwise() {}

    static FloatVector load(MemorySegment segment, long index) {
        return FloatVector.fromMemorySegment(S, segment, index * Float.BYTES, ORDER);
    }

    static void store(FloatVector v, MemorySegment segment, long index) {
        v.intoMemorySegment(segment, index * Float.BYTES, ORDER);
    }

    static float get(MemorySegment segment, long index) {
        return FloatSegments.get(segment, index);
    }

    static void set(MemorySegment segment, long index, float value) {
        FloatSegments.set(segment, index, value);
    }

    static void affine(long n, float scale, float shift, MemorySegment x, long xOffset,
                       MemorySegment out, long outOffset) {
        long i = 0;
        for (long bound = n - LANES; i <= bound; i += LANES) {
            store(load(x, xOffset + i).fma(scale, shift), out, outOffset + i);
        }
        for (; i < n; i++) set(out, outOffset + i, Math.fma(scale, get(x, xOffset + i), shift));
    }

    static void fill(long n, float value, MemorySegment out, long outOffset) {
        FloatVector v = FloatVector.broadcast(S, value);
        long i = 0;
        for (long bound = n - LANES; i <= bound; i += LANES) store(v, out, outOffset + i);
        for (; i < n; i++) set(out, outOffset + i, value);
    }
}
