package amalgam.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HalfFloatsTest {

    @Test
    void bf16HandCheckedRounding() {
        assertEquals(0x3f80, bits(HalfFloats.floatToBf16(1.0f)));
        // 1 + 2^-8 lies exactly between 1.0 (0x3f80, even) and 1.0078125 (0x3f81): ties go to even.
        assertEquals(0x3f80, bits(HalfFloats.floatToBf16(1f + 0x1p-8f)));
        // 1 + 3·2^-8 lies between 0x3f81 (odd) and 0x3f82 (even): ties go to even, upwards this time.
        assertEquals(0x3f82, bits(HalfFloats.floatToBf16(1f + 3 * 0x1p-8f)));
        // Just above the midpoint rounds up.
        assertEquals(0x3f81, bits(HalfFloats.floatToBf16(Math.nextUp(1f + 0x1p-8f))));
        assertEquals(0xbf80, bits(HalfFloats.floatToBf16(-1.0f)));
        assertEquals(0x8000, bits(HalfFloats.floatToBf16(-0.0f)));
        assertEquals(0x7f80, bits(HalfFloats.floatToBf16(Float.POSITIVE_INFINITY)));
        // The largest float rounds past the largest bf16 (0x7f7f) to infinity.
        assertEquals(0x7f80, bits(HalfFloats.floatToBf16(Float.MAX_VALUE)));
        assertEquals(1.0f, HalfFloats.bf16ToFloat((short) 0x3f80));
        assertEquals(-2.0f, HalfFloats.bf16ToFloat((short) 0xc000));
    }

    @Test
    void bf16NaNStaysNaNWithItsSign() {
        // Payload only in the low 16 bits: truncation alone would turn this NaN into +infinity.
        float lowPayloadNaN = Float.intBitsToFloat(0x7f800001);
        assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(lowPayloadNaN))));
        float negativeNaN = Float.intBitsToFloat(0xffc00000);
        short encoded = HalfFloats.floatToBf16(negativeNaN);
        assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(encoded)));
        assertEquals(0x8000, bits(encoded) & 0x8000);
    }

    /** Against an independent oracle: the nearer of the two bf16 neighbours in double arithmetic, ties to even. */
    @Test
    void bf16MatchesNearestNeighbourOracle() {
        Random random = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            float x = Float.intBitsToFloat(random.nextInt());
            if (Float.isNaN(x) || Float.isInfinite(x)) continue;
            assertEquals(oracleBf16(x), bits(HalfFloats.floatToBf16(x)), () -> "x=" + x);
        }
    }

    private static int oracleBf16(float x) {
        int b = Float.floatToRawIntBits(x);
        int down = b >>> 16;
        int up = down + 1;
        double lo = HalfFloats.bf16ToFloat((short) down);
        double hi = (up & 0x7fff) == 0x7f80 ? (Math.signum(x) * 0x1p128) : HalfFloats.bf16ToFloat((short) up);
        double dLo = Math.abs(x - lo);
        double dHi = Math.abs(hi - x);
        if (dLo < dHi) return down & 0xffff;
        if (dHi < dLo) return up & 0xffff;
        return ((down & 1) == 0 ? down : up) & 0xffff;
    }

    @Test
    void f16HandChecked() {
        assertEquals(0x3c00, bits(HalfFloats.floatToF16(1.0f)));
        assertEquals(0x7bff, bits(HalfFloats.floatToF16(65504f)));
        // Halfway between 65504 and the next step (65536) rounds to even, which is infinity.
        assertEquals(0x7c00, bits(HalfFloats.floatToF16(65520f)));
        assertEquals(0x0001, bits(HalfFloats.floatToF16(0x1p-24f)));
        assertEquals(0x3555, bits(HalfFloats.floatToF16(1f / 3)));
        assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(Float.NaN))));
        assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(Float.intBitsToFloat(0xff800001)))),
                "a NaN whose payload lies below f16's precision stays NaN");
        assertEquals(0x1p-24f, HalfFloats.f16ToFloat((short) 1));
    }

    private static int bits(short s) {
        return s & 0xffff;
    }
}
