package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;
import amalgam.kernels.WorkerPool;
import amalgam.kernels.scalar.ScalarBackend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Shared test inputs: the scalar reference backend on two threads, and docs/merging.md's example tensors. */
final class Fixtures {

    static final ComputeContext CTX = new ComputeContext(new ScalarBackend(), WorkerPool.of(2));
    static final Arena ARENA = Arena.ofAuto();

    static final float[] T1 = {0.5f, -1.3f, 2.0f, -0.3f, 0.8f, -1.5f};
    static final float[] T2 = {-0.4f, 1.2f, 1.0f, 0.1f, -2.0f, -0.6f};

    private Fixtures() {}

    static MemorySegment seg(float... values) {
        return FloatSegments.of(ARENA, values);
    }

    /** Merges T1 and T2 (as a 1×6 tensor) with the given merge and weights. */
    static float[] mergeExample(TensorMerge merge, double... weights) {
        return merge(merge, T1.length, List.of(T1, T2), weights);
    }

    static float[] merge(TensorMerge merge, int n, List<float[]> tensors, double... weights) {
        MemorySegment out = FloatSegments.allocate(ARENA, n);
        merge.merge(1, n, tensors.stream().map(Fixtures::seg).toList(), weights, 0, out);
        return FloatSegments.toArray(out, 0, n);
    }

    static void assertClose(float[] expected, float[] actual, double tolerance) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, "element " + i);
        }
    }

    static void assertClose(double[] expected, double[] actual, double tolerance) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, "element " + i);
        }
    }

    static float[] random(java.util.Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) random.nextGaussian();
        return v;
    }
}
