package amalgam.kernels;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * How close a kernel's fp32 result must be to the reference: |actual − expected| ≤ relative·|expected| +
 * absolute. NaN must meet NaN and an infinity the same infinity, whatever the tolerance: IEEE special values
 * are part of the contract, not noise.
 */
public record Tolerance(double relative, double absolute) {

    /** Bit-for-bit (up to the sign of zero): ops whose fp32 result is one correctly rounded operation. */
    public static final Tolerance EXACT = new Tolerance(0, 0);

    public static Tolerance relative(double relative) {
        return new Tolerance(relative, 0);
    }

    public boolean accepts(float expected, float actual) {
        if (Float.isNaN(expected) || Float.isNaN(actual)) return Float.isNaN(expected) && Float.isNaN(actual);
        if (Float.isInfinite(expected) || Float.isInfinite(actual)) return expected == actual;
        return Math.abs((double) actual - expected) <= relative * Math.abs((double) expected) + absolute;
    }

    /** Compares n elements of two segments, failing on the first mismatch with its index and both values. */
    public void assertClose(String what, MemorySegment expected, long expectedOffset,
                            MemorySegment actual, long actualOffset, long n) {
        for (long i = 0; i < n; i++) {
            float e = FloatSegments.get(expected, expectedOffset + i);
            float a = FloatSegments.get(actual, actualOffset + i);
            if (!accepts(e, a)) {
                fail(what + ": element " + i + " expected " + e + " but was " + a + " (difference "
                        + Math.abs((double) a - e) + ", allowed " + (relative * Math.abs((double) e) + absolute) + ")");
            }
        }
    }

    public void assertClose(String what, float expected, float actual) {
        if (!accepts(expected, actual)) {
            fail(what + ": expected " + expected + " but was " + actual);
        }
    }
}
