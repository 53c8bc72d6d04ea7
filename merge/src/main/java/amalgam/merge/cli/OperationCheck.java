package amalgam.merge.cli;

import amalgam.kernels.Backend;
import amalgam.kernels.ElectedMean;
import amalgam.kernels.FloatSegments;
import amalgam.kernels.ReduceOp;
import amalgam.kernels.UnaryOp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The self-check's quick comparison of a backend's non-GEMM kernels with the reference on awkward sizes:
 * the full parity suite lives in the tests; this tells a user whether this machine computes them right.
 */
final class OperationCheck {

    private OperationCheck() {}

    /** Largest relative error per operation family, computed on the same random inputs for both backends. */
    static Map<String, Double> maxErrors(Backend backend, Backend reference) {
        Map<String, Double> errors = new LinkedHashMap<>();
        try (Arena arena = Arena.ofShared()) {
            int n = 100_003, rows = 257, cols = 33;
            MemorySegment x = random(arena, n, 11);
            errors.put("exp", compare(arena, n, (b, out) -> b.unary(UnaryOp.EXP, n, x, 0, out, 0), backend, reference));
            errors.put("gelu", compare(arena, n, (b, out) -> b.unary(UnaryOp.GELU_ERF, n, x, 0, out, 0), backend, reference));
            errors.put("softmax", compare(arena, rows * cols,
                    (b, out) -> b.softmaxRows(rows, cols, x, 0, out, 0), backend, reference));
            errors.put("layernorm", compare(arena, rows * cols,
                    (b, out) -> b.layerNormRows(rows, cols, 1e-5f, x, 0, null, null, out, 0, null, null), backend, reference));
            errors.put("sum", compare(arena, 7 * 33,
                    (b, out) -> b.reduce(ReduceOp.SUM, 7, 257, 33, x, 0, out, 0), backend, reference));
            float expected = reference.kthLargestAbs(n, 1_234, x, 0);
            float actual = backend.kthLargestAbs(n, 1_234, x, 0);
            errors.put("top-k", (double) Math.abs(expected - actual) / Math.max(1e-30, Math.abs(expected)));
            errors.put("ties-trim", compare(arena, n,
                    (b, out) -> b.keepMagnitudeRanks(n, x, 1_000, 21_000, out), backend, reference));
            MemorySegment[] tensors = {x, random(arena, n, 12), random(arena, n, 13)};
            ElectedMean ties = new ElectedMean(ElectedMean.Election.TOTAL, false, ElectedMean.Divisor.AGREEING_COUNT, 1);
            errors.put("ties-mean", compare(arena, n,
                    (b, out) -> b.electedMean(ties, n, tensors, new double[] {1, 0.5, -0.25}, out), backend, reference));
        }
        return errors;
    }

    private interface Kernel {
        void run(Backend backend, MemorySegment out);
    }

    private static double compare(Arena arena, int outCount, Kernel kernel, Backend backend, Backend reference) {
        MemorySegment expected = FloatSegments.allocate(arena, outCount);
        MemorySegment actual = FloatSegments.allocate(arena, outCount);
        kernel.run(reference, expected);
        kernel.run(backend, actual);
        double worst = 0;
        for (int i = 0; i < outCount; i++) {
            double e = FloatSegments.get(expected, i), a = FloatSegments.get(actual, i);
            worst = Math.max(worst, Math.abs(e - a) / Math.max(1.0, Math.abs(e)));
        }
        return worst;
    }

    private static MemorySegment random(Arena arena, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        MemorySegment segment = FloatSegments.allocate(arena, count);
        for (int i = 0; i < count; i++) FloatSegments.set(segment, i, (float) (random.nextGaussian() * 3));
        return segment;
    }
}
