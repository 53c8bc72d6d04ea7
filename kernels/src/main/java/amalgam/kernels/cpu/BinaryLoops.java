package amalgam.kernels.cpu;

import amalgam.kernels.BinaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static amalgam.kernels.cpu.Elementwise.get;
import static amalgam.kernels.cpu.Elementwise.set;
import static amalgam.kernels.cpu.VectorMath.S;

/**
 * The inner loops of a broadcasting binary op over one contiguous run of the output: both operands
 * contiguous, one of them a repeated scalar, or (the fallback) any strides. One small method per op and
 * layout, for the reason given in {@link UnaryLoops}.
 */
final class BinaryLoops {

    private static final int LANES = S.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private BinaryLoops() {}

    /** out[i] = op(a[i], b[i]) for i in [0, n). */
    static void vectorVector(BinaryOp op, long n, MemorySegment a, long ao, MemorySegment b, long bo,
                                             MemorySegment out, long oo) {
        long end = n - n % LANES;
        switch (op) {
            case ADD -> add(end, a, ao, b, bo, out, oo);
            case SUB -> sub(end, a, ao, b, bo, out, oo);
            case MUL -> mul(end, a, ao, b, bo, out, oo);
            case DIV -> div(end, a, ao, b, bo, out, oo);
            case MAX -> max(end, a, ao, b, bo, out, oo);
            case MIN -> min(end, a, ao, b, bo, out, oo);
            case POW -> pow(end, a, ao, b, bo, out, oo);
            case EQUAL -> equal(end, a, ao, b, bo, out, oo);
            case RELU_BACKWARD -> reluBackward(end, a, ao, b, bo, out, oo);
        }
        for (long i = end; i < n; i++) set(out, oo + i, op.apply(get(a, ao + i), get(b, bo + i)));
    }

    /** out[i] = op(a[i], b) for i in [0, n): the second operand repeated. */
    static void vectorScalar(BinaryOp op, long n, MemorySegment a, long ao, float b, MemorySegment out, long oo) {
        long end = n - n % LANES;
        switch (op) {
            case ADD -> addVS(end, a, ao, b, out, oo);
            case SUB -> subVS(end, a, ao, b, out, oo);
            case MUL -> mulVS(end, a, ao, b, out, oo);
            case DIV -> divVS(end, a, ao, b, out, oo);
            case MAX -> maxVS(end, a, ao, b, out, oo);
            case MIN -> minVS(end, a, ao, b, out, oo);
            case POW -> powVS(end, a, ao, b, out, oo);
            case EQUAL -> equalVS(end, a, ao, b, out, oo);
            case RELU_BACKWARD -> reluBackwardVS(end, a, ao, b, out, oo);
        }
        for (long i = end; i < n; i++) set(out, oo + i, op.apply(get(a, ao + i), b));
    }

    /** out[i] = op(a, b[i]) for i in [0, n): the first operand repeated. */
    static void scalarVector(BinaryOp op, long n, float a, MemorySegment b, long bo, MemorySegment out, long oo) {
        long end = n - n % LANES;
        switch (op) {
            case ADD -> addSV(end, a, b, bo, out, oo);
            case SUB -> subSV(end, a, b, bo, out, oo);
            case MUL -> mulSV(end, a, b, bo, out, oo);
            case DIV -> divSV(end, a, b, bo, out, oo);
            case MAX -> maxSV(end, a, b, bo, out, oo);
            case MIN -> minSV(end, a, b, bo, out, oo);
            case POW -> powSV(end, a, b, bo, out, oo);
            case EQUAL -> equalSV(end, a, b, bo, out, oo);
            case RELU_BACKWARD -> reluBackwardSV(end, a, b, bo, out, oo);
        }
        for (long i = end; i < n; i++) set(out, oo + i, op.apply(a, get(b, bo + i)));
    }

    /** The general inner loop: any strides, one element at a time. */
    static void strided(BinaryOp op, long n, MemorySegment a, long ao, long aStride,
                        MemorySegment b, long bo, long bStride, MemorySegment out, long oo) {
        for (long i = 0; i < n; i++) {
            set(out, oo + i, op.apply(get(a, ao + i * aStride), get(b, bo + i * bStride)));
        }
    }

    private static void add(long end, MemorySegment x, long xo, MemorySegment y, long yo,
                            MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.add(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void sub(long end, MemorySegment x, long xo, MemorySegment y, long yo,
                            MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.sub(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void mul(long end, MemorySegment x, long xo, MemorySegment y, long yo,
                            MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.mul(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void div(long end, MemorySegment x, long xo, MemorySegment y, long yo,
                            MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.div(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void max(long end, MemorySegment x, long xo, MemorySegment y, long yo,
                            MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.max(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void min(long end, MemorySegment x, long xo, MemorySegment y, long yo,
                            MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.min(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void pow(long end, MemorySegment x, long xo, MemorySegment y, long yo,
                            MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.lanewise(VectorOperators.POW, b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void equal(long end, MemorySegment x, long xo, MemorySegment y, long yo,
                            MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.broadcast(0f).blend(1f, a.compare(VectorOperators.EQ, b)).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void reluBackward(long end, MemorySegment x, long xo, MemorySegment y, long yo,
                            MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.broadcast(0f).blend(b, a.compare(VectorOperators.GT, 0f)).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void addVS(long end, MemorySegment x, long xo, float scalar, MemorySegment out, long oo) {
        FloatVector b = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            a.add(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void subVS(long end, MemorySegment x, long xo, float scalar, MemorySegment out, long oo) {
        FloatVector b = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            a.sub(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void mulVS(long end, MemorySegment x, long xo, float scalar, MemorySegment out, long oo) {
        FloatVector b = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            a.mul(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void divVS(long end, MemorySegment x, long xo, float scalar, MemorySegment out, long oo) {
        FloatVector b = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            a.div(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void maxVS(long end, MemorySegment x, long xo, float scalar, MemorySegment out, long oo) {
        FloatVector b = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            a.max(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void minVS(long end, MemorySegment x, long xo, float scalar, MemorySegment out, long oo) {
        FloatVector b = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            a.min(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void powVS(long end, MemorySegment x, long xo, float scalar, MemorySegment out, long oo) {
        FloatVector b = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            a.lanewise(VectorOperators.POW, b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void equalVS(long end, MemorySegment x, long xo, float scalar, MemorySegment out, long oo) {
        FloatVector b = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            a.broadcast(0f).blend(1f, a.compare(VectorOperators.EQ, b)).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void reluBackwardVS(long end, MemorySegment x, long xo, float scalar, MemorySegment out, long oo) {
        FloatVector b = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector a = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            a.broadcast(0f).blend(b, a.compare(VectorOperators.GT, 0f)).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void addSV(long end, float scalar, MemorySegment y, long yo, MemorySegment out, long oo) {
        FloatVector a = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.add(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void subSV(long end, float scalar, MemorySegment y, long yo, MemorySegment out, long oo) {
        FloatVector a = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.sub(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void mulSV(long end, float scalar, MemorySegment y, long yo, MemorySegment out, long oo) {
        FloatVector a = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.mul(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void divSV(long end, float scalar, MemorySegment y, long yo, MemorySegment out, long oo) {
        FloatVector a = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.div(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void maxSV(long end, float scalar, MemorySegment y, long yo, MemorySegment out, long oo) {
        FloatVector a = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.max(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void minSV(long end, float scalar, MemorySegment y, long yo, MemorySegment out, long oo) {
        FloatVector a = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.min(b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void powSV(long end, float scalar, MemorySegment y, long yo, MemorySegment out, long oo) {
        FloatVector a = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.lanewise(VectorOperators.POW, b).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void equalSV(long end, float scalar, MemorySegment y, long yo, MemorySegment out, long oo) {
        FloatVector a = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.broadcast(0f).blend(1f, a.compare(VectorOperators.EQ, b)).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void reluBackwardSV(long end, float scalar, MemorySegment y, long yo, MemorySegment out, long oo) {
        FloatVector a = FloatVector.broadcast(S, scalar);
        for (long i = 0; i < end; i += LANES) {
            FloatVector b = FloatVector.fromMemorySegment(S, y, (yo + i) * 4, ORDER);
            a.broadcast(0f).blend(b, a.compare(VectorOperators.GT, 0f)).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }
}
