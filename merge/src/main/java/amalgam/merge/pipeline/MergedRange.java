package amalgam.merge.pipeline;

import static amalgam.engine.InputException.quote;

import amalgam.engine.InputException;
import amalgam.engine.io.FileDType;
import amalgam.kernels.FloatSegments;
import amalgam.merge.algorithms.DenseMatrix;
import amalgam.merge.algorithms.LowRankUpdate;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The two places a merge can overflow without anything else noticing: a weight × scaling beyond fp32 (the
 * kernels take it as a float, and an infinite column norm makes the QR drop the update as dependent), and
 * merged factors beyond the range of the output dtype (written as infinities). Both are the user's input.
 */
final class MergedRange {

    private MergedRange() {}

    /** Every c_i = w_i · s_i must be a finite fp32 number. */
    static void requireFiniteScales(String module, List<LowRankUpdate> updates, double[] weights, List<Path> adapters) {
        for (int i = 0; i < updates.size(); i++) {
            double c = weights[i] * updates.get(i).scale();
            if (!(Math.abs(c) <= Float.MAX_VALUE)) {
                throw new InputException(adapters.get(i) + ": module " + quote(module), String.format(Locale.ROOT,
                        "weight %s × scaling %s = %s is beyond fp32's range: check lora_alpha, --weights and --lambda",
                        weights[i], updates.get(i).scale(), c));
            }
        }
    }

    /**
     * The merged factors must be finite and fit {@code dtype}, or the written adapter would hold infinities;
     * with {@code allowNonFinite} (inputs that held NaN or ∞ on purpose) only finite values are held to the range.
     */
    static void requireFits(String module, LowRankUpdate merged, FileDType dtype, boolean allowNonFinite) {
        requireFits(module, "lora_A", merged.a(), dtype, allowNonFinite);
        requireFits(module, "lora_B", merged.b(), dtype, allowNonFinite);
    }

    private static void requireFits(String module, String factor, DenseMatrix m, FileDType dtype,
            boolean allowNonFinite) {
        long n = (long) m.rows() * m.cols();
        double limit = dtype.maxFinite();
        // A chunk at a time through a float[]: this runs cold, where element-wise segment access is slow.
        float[] chunk = new float[(int) Math.min(n, 1 << 14)];
        for (long start = 0; start < n; start += chunk.length) {
            int length = (int) Math.min(chunk.length, n - start);
            MemorySegment.copy(m.data(), FloatSegments.FLOAT, start * Float.BYTES, chunk, 0, length);
            for (int i = 0; i < length; i++) requireFits(module, factor, chunk[i], dtype, limit, allowNonFinite);
        }
    }

    private static void requireFits(String module, String factor, float v, FileDType dtype, double limit,
            boolean allowNonFinite) {
        if (Math.abs(v) <= limit || (allowNonFinite && !Float.isFinite(v))) return;
        String what = Float.isFinite(v)
                ? String.format(Locale.ROOT, "merged %s holds %.6g, beyond %s's range (±%.6g): write --dtype %s",
                        factor, v, dtype.name().toLowerCase(Locale.ROOT), limit,
                        dtype == FileDType.F16 ? "bf16 or f32" : "f32")
                : "merged " + factor + " holds " + v + ": the inputs overflow fp32 when combined";
        throw new InputException("module " + quote(module), what);
    }
}
