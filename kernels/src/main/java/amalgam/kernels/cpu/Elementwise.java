package amalgam.kernels.cpu;

import amalgam.kernels.BinaryOp;
import amalgam.kernels.FloatSegments;
import amalgam.kernels.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static amalgam.kernels.cpu.VectorMath.S;

/**
 * Vector loops over contiguous runs of elements: the inner loops of unary, affine, fill and binary.
 * Offsets are in elements; each method handles its own scalar tail, using the reference definition.
 */
final class Elementwise {

    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int LANES = S.length();
    private static final float GELU_TANH_EXACT_BELOW = -4f;

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

    static void unary(UnaryOp op, long n, MemorySegment x, long xOffset, MemorySegment out, long outOffset) {
        if (op == UnaryOp.GELU_TANH || op == UnaryOp.GELU_TANH_DERIVATIVE) {
            unaryWithExactTail(op, n, x, xOffset, out, outOffset);
            return;
        }
        long i = 0;
        for (long bound = n - LANES; i <= bound; i += LANES) {
            store(VectorMath.apply(op, load(x, xOffset + i)), out, outOffset + i);
        }
        for (; i < n; i++) set(out, outOffset + i, op.apply(get(x, xOffset + i)));
    }

    /**
     * GELU-tanh forms their exponent 2u from x + 0.044715x³ in fp32; for x < −4 that rounding, amplified by
     * exp, would cost more than 1e-6 relative. Those rare lanes (activations seldom go below −4) are redone
     * with the double-precision reference.
     */
    private static void unaryWithExactTail(UnaryOp op, long n, MemorySegment x, long xOffset,
                                           MemorySegment out, long outOffset) {
        long i = 0;
        for (long bound = n - LANES; i <= bound; i += LANES) {
            FloatVector v = load(x, xOffset + i);
            store(VectorMath.apply(op, v), out, outOffset + i);
            for (long tail = v.compare(VectorOperators.LT, GELU_TANH_EXACT_BELOW).toLong(); tail != 0;
                 tail &= tail - 1) {
                long j = i + Long.numberOfTrailingZeros(tail);
                set(out, outOffset + j, op.apply(get(x, xOffset + j)));
            }
        }
        for (; i < n; i++) set(out, outOffset + i, op.apply(get(x, xOffset + i)));
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

    static FloatVector apply(BinaryOp op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case MAX -> a.max(b);
            case MIN -> a.min(b);
            case POW -> a.lanewise(VectorOperators.POW, b);
            case EQUAL -> a.broadcast(0f).blend(1f, a.compare(VectorOperators.EQ, b));
            case RELU_BACKWARD -> a.broadcast(0f).blend(b, a.compare(VectorOperators.GT, 0f));
        };
    }

    /** out[i] = op(a[i], b[i]) for i in [0, n). */
    static void binaryVectorVector(BinaryOp op, long n, MemorySegment a, long aOffset, MemorySegment b, long bOffset,
                                   MemorySegment out, long outOffset) {
        long i = 0;
        for (long bound = n - LANES; i <= bound; i += LANES) {
            store(apply(op, load(a, aOffset + i), load(b, bOffset + i)), out, outOffset + i);
        }
        for (; i < n; i++) set(out, outOffset + i, op.apply(get(a, aOffset + i), get(b, bOffset + i)));
    }

    /** out[i] = op(a[i], b) for i in [0, n): the second operand broadcast. */
    static void binaryVectorScalar(BinaryOp op, long n, MemorySegment a, long aOffset, float b,
                                   MemorySegment out, long outOffset) {
        FloatVector bv = FloatVector.broadcast(S, b);
        long i = 0;
        for (long bound = n - LANES; i <= bound; i += LANES) {
            store(apply(op, load(a, aOffset + i), bv), out, outOffset + i);
        }
        for (; i < n; i++) set(out, outOffset + i, op.apply(get(a, aOffset + i), b));
    }

    /** out[i] = op(a, b[i]) for i in [0, n): the first operand broadcast. */
    static void binaryScalarVector(BinaryOp op, long n, float a, MemorySegment b, long bOffset,
                                   MemorySegment out, long outOffset) {
        FloatVector av = FloatVector.broadcast(S, a);
        long i = 0;
        for (long bound = n - LANES; i <= bound; i += LANES) {
            store(apply(op, av, load(b, bOffset + i)), out, outOffset + i);
        }
        for (; i < n; i++) set(out, outOffset + i, op.apply(a, get(b, bOffset + i)));
    }

    /** The general inner loop: any strides, one element at a time. */
    static void binaryStrided(BinaryOp op, long n, MemorySegment a, long aOffset, long aStride,
                              MemorySegment b, long bOffset, long bStride, MemorySegment out, long outOffset) {
        for (long i = 0; i < n; i++) {
            set(out, outOffset + i, op.apply(get(a, aOffset + i * aStride), get(b, bOffset + i * bStride)));
        }
    }
}
