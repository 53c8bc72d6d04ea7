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
