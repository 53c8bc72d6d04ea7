package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;

import java.util.Arrays;

/**
 * {@code --svd-clamp q}: the PEFT/kohya guard against outliers after an SVD refactoring. The q-quantile h of
 * all signed entries of B and A together (linear interpolation between order statistics, as torch.quantile)
 * bounds both factors to [−h, h].
 */
public final class SvdClamp {

    private SvdClamp() {}

    /** Clamps the factors of {@code update} in place and returns it. */
    public static LowRankUpdate apply(LowRankUpdate update, double q) {
        if (Double.isNaN(q) || q < 0 || q > 1) {
            throw new IllegalArgumentException("--svd-clamp: must be a quantile in [0, 1], got " + q);
        }
        float[] b = update.b().toArray(), a = update.a().toArray();
        float[] all = Arrays.copyOf(b, b.length + a.length);
        System.arraycopy(a, 0, all, b.length, a.length);
        Arrays.sort(all);
        float high = (float) quantile(all, q);
        clamp(update.b(), high);
        clamp(update.a(), high);
        return update;
    }

    static double quantile(float[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    private static void clamp(DenseMatrix m, float high) {
        for (long i = 0; i < m.size(); i++) {
            float v = FloatSegments.get(m.data(), i);
            FloatSegments.set(m.data(), i, Math.max(-high, Math.min(high, v)));
        }
    }
}
