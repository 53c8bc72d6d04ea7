package amalgam.engine.io;

/**
 * Conversions between fp32 and the two 16-bit float formats safetensors files carry. F16 uses the JDK's
 * IEEE binary16 conversions; BF16 (the top half of an fp32) is done here because the JDK has none.
 */
public final class HalfFloats {

    private HalfFloats() {}

    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** Round to nearest, ties to even; overflow goes to infinity; NaN stays NaN. */
    public static short floatToF16(float value) {
        return Float.floatToFloat16(value);
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /**
     * Round to nearest, ties to even; overflow goes to infinity. A NaN keeps its sign and top payload bits
     * and gets the quiet bit set, because plain truncation could clear every payload bit and turn it into
     * infinity.
     */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) return (short) ((bits >>> 16) | 0x0040);
        // Adding 0x7fff (+1 when the kept lsb is odd) carries into the kept half exactly when the dropped half
        // is above the midpoint, or at the midpoint with an odd kept half.
        int roundingBias = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }
}
