package amalgam.engine.io;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The safetensors element types Amalgam reads. LoRA factors are floating point; integer and 8-bit float
 * types are refused by name rather than guessed at.
 */
public enum FileDType {
    F64(8),
    F32(4),
    F16(2),
    BF16(2);

    private final int byteSize;

    FileDType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    /** The largest finite magnitude this type holds; larger fp32 values would be written as infinities. */
    public double maxFinite() {
        return switch (this) {
            case F64 -> Double.MAX_VALUE;
            case F32 -> Float.MAX_VALUE;
            case F16 -> 65504;
            // bf16 keeps fp32's exponent; the largest value that does not round to infinity is 0x7f7f.
            case BF16 -> Float.intBitsToFloat(0x7f7f0000);
        };
    }

    /** Whether {@link SafetensorsWriter} can produce this type (F64 is read-only: we compute in fp32). */
    public boolean writable() {
        return this != F64;
    }

    /** The type whose safetensors spelling is {@code name} (exact, upper case as the format writes it). */
    public static Optional<FileDType> fromSafetensorsName(String name) {
        return Arrays.stream(values()).filter(d -> d.name().equals(name)).findFirst();
    }

    /** Parses a user's {@code --dtype} value: f32, f16, bf16 in any case. */
    public static Optional<FileDType> fromOption(String value) {
        return fromSafetensorsName(value.toUpperCase(Locale.ROOT)).filter(FileDType::writable);
    }
}
