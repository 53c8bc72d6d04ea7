package amalgam.engine;

import java.util.Arrays;

/** Arithmetic on shapes and strides (in elements): sizes, row-major strides, broadcasting, axis checks. */
public final class Shapes {

    private Shapes() {}

    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** Row-major strides of a contiguous tensor of this shape. */
    public static long[] contiguousStrides(int[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= shape[i];
        }
        return strides;
    }

    /** Turns a possibly negative axis (−1 = last) into an index, naming the shape when it is out of range. */
    public static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for a tensor of rank " + rank);
        }
        return a;
    }

    /** The shape two operands broadcast to (NumPy rules: align right, 1 stretches). */
    public static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * The strides that read a tensor of {@code shape}/{@code strides} as if it had shape {@code target}:
     * leading missing axes and stretched axes get stride 0.
     */
    public static long[] broadcastStrides(int[] shape, long[] strides, int[] target) {
        long[] out = new long[target.length];
        int shift = target.length - shape.length;
        for (int i = 0; i < target.length; i++) {
            int j = i - shift;
            out[i] = j < 0 || shape[j] == 1 ? 0 : strides[j];
            if (j >= 0 && shape[j] != 1 && shape[j] != target[i]) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " cannot broadcast to "
                        + Arrays.toString(target));
            }
        }
        return out;
    }

    public static String toString(int[] shape) {
        return Arrays.toString(shape);
    }
}
