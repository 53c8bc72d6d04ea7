package amalgam.kernels.cpu;

import amalgam.kernels.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static amalgam.kernels.cpu.Elementwise.get;
import static amalgam.kernels.cpu.Elementwise.set;
import static amalgam.kernels.cpu.VectorMath.S;

/**
 * {@code out[i] = op(x[i])} over a contiguous run, one small method per op that has a vector form (an op
 * without one runs its reference definition). The switch stays outside the loops and each loop is its own
 * method: with every op inlined into one method, C2 runs out of inlining budget and starts materialising
 * vectors as heap objects (an allocation per vector). For the same reason loads and stores call the Vector
 * API directly: its methods are force-inlined, our helpers would not be once a loop body as large as GELU's
 * has used up C2's node budget.
 */
final class UnaryLoops {

    private static final int LANES = S.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Below this, GELU-tanh forms are redone in double (see {@link #geluTanhWithExactTail}). */
    private static final float GELU_TANH_EXACT_BELOW = -3f;

    private UnaryLoops() {}

    static void apply(UnaryOp op, long n, MemorySegment x, long xo, MemorySegment out, long oo) {
        long end = n - n % LANES;
        switch (op) {
            case IDENTITY -> { if (x != out || xo != oo) MemorySegment.copy(x, xo * 4, out, oo * 4, end * 4); }
            case NEG -> neg(end, x, xo, out, oo);
            case ABS -> abs(end, x, xo, out, oo);
            case SIGN -> sign(end, x, xo, out, oo);
            case SQUARE -> square(end, x, xo, out, oo);
            case SQRT -> sqrt(end, x, xo, out, oo);
            case RECIPROCAL -> reciprocal(end, x, xo, out, oo);
            case EXP -> exp(end, x, xo, out, oo);
            case LOG -> log(end, x, xo, out, oo);
            case TANH -> tanh(end, x, xo, out, oo);
            case SIGMOID -> sigmoid(end, x, xo, out, oo);
            case RELU -> relu(end, x, xo, out, oo);
            case GELU_ERF -> geluErf(end, x, xo, out, oo);
            case GELU_ERF_DERIVATIVE -> geluErfDerivative(end, x, xo, out, oo);
            case GELU_TANH, GELU_TANH_DERIVATIVE -> geluTanhWithExactTail(op, end, x, xo, out, oo);
            case SILU -> silu(end, x, xo, out, oo);
            case SILU_DERIVATIVE -> siluDerivative(end, x, xo, out, oo);
            // An op without a vector form is computed by its reference definition: right, if slower.
            default -> { for (long i = 0; i < end; i++) set(out, oo + i, op.apply(get(x, xo + i))); }
        }
        for (long i = end; i < n; i++) set(out, oo + i, op.apply(get(x, xo + i)));
    }

    private static void neg(long end, MemorySegment x, long xo, MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            v.neg().intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void abs(long end, MemorySegment x, long xo, MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            v.abs().intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void sign(long end, MemorySegment x, long xo, MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            VectorMath.sign(v).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void square(long end, MemorySegment x, long xo, MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            v.mul(v).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void sqrt(long end, MemorySegment x, long xo, MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            v.sqrt().intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void reciprocal(long end, MemorySegment x, long xo, MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            v.broadcast(1f).div(v).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void exp(long end, MemorySegment x, long xo, MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            v.lanewise(VectorOperators.EXP).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void log(long end, MemorySegment x, long xo, MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            v.lanewise(VectorOperators.LOG).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void tanh(long end, MemorySegment x, long xo, MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            v.lanewise(VectorOperators.TANH).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void sigmoid(long end, MemorySegment x, long xo, MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            VectorMath.sigmoid(v).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void relu(long end, MemorySegment x, long xo, MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            v.max(0f).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void geluErf(long end, MemorySegment x, long xo, MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            VectorMath.geluErf(v).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void geluErfDerivative(long end, MemorySegment x, long xo, MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            VectorMath.geluErfDerivative(v).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void silu(long end, MemorySegment x, long xo, MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            v.mul(VectorMath.sigmoid(v)).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    private static void siluDerivative(long end, MemorySegment x, long xo, MemorySegment out, long oo) {
        for (long i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            VectorMath.siluDerivative(v).intoMemorySegment(out, (oo + i) * 4, ORDER);
        }
    }

    /**
     * GELU-tanh forms its exponent 2u from x + 0.044715x³ in fp32; for x < −3 that rounding, amplified by
     * exp, would cost more than 1e-6 relative. Those rare lanes (activations seldom go below −3) are redone
     * with the double-precision reference.
     */
    private static void geluTanhWithExactTail(UnaryOp op, long end, MemorySegment x, long xo,
                                              MemorySegment out, long oo) {
        boolean derivative = op == UnaryOp.GELU_TANH_DERIVATIVE;
        for (long i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, ORDER);
            if (derivative) VectorMath.geluTanhDerivative(v).intoMemorySegment(out, (oo + i) * 4, ORDER);
            else VectorMath.geluTanh(v).intoMemorySegment(out, (oo + i) * 4, ORDER);
            VectorMask<Float> inTail = v.compare(VectorOperators.LT, GELU_TANH_EXACT_BELOW);
            if (!inTail.anyTrue()) continue;
            for (long tail = inTail.toLong(); tail != 0; tail &= tail - 1) {
                long j = i + Long.numberOfTrailingZeros(tail);
                set(out, oo + j, op.apply(get(x, xo + j)));
            }
        }
    }
}
