package amalgam.merge.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.InputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The properties every fuzz target in this package checks after each input. */
final class FuzzBounds {

    /**
     * Heap a call may take whatever its input: Jackson's buffers, a file channel, the arenas, exception stack
     * traces. Measured at 8 to 41 KiB for the committed inputs; this is that with headroom.
     */
    static final long HEAP_SLACK_BYTES = 64 << 10;
    /**
     * Heap per byte of safetensors header. The table costs more than its JSON (a 50-byte entry becomes a
     * TensorInfo, its name, shape and map node, plus the parser's garbage): measured 21–25 bytes per header byte
     * for 20,000-tensor headers. The data section gets no allowance at all: it is mapped, never copied to the heap.
     */
    static final long HEADER_HEAP_FACTOR = 32;
    /**
     * Heap per byte of adapter_config.json. The config is a JSON tree (so unknown fields are written back
     * unchanged), copied once more for the merged config, and every rank_pattern/alpha_pattern key becomes an
     * entry: measured up to 85 bytes per byte for trees of empty objects, 110 for plain pattern keys and 253 for
     * tiny regex keys (whose count ModulePatterns caps). AdapterConfig's size cap bounds the total.
     */
    static final long CONFIG_HEAP_FACTOR = 320;

    private FuzzBounds() {}

    /** The one-line contract the command line relies on when it prints the message. */
    static void assertOneLine(InputException e) {
        String message = e.getMessage();
        assertFalse(message.isBlank(), "InputException without a message");
        assertFalse(message.contains("\n") || message.contains("\r"), () -> "multi-line message: " + message);
    }

    /** {@code allocated} heap bytes are at most {@code allowance} plus the slack (where the JVM can measure). */
    static void assertHeapWithin(long allocated, long allowance, String allowanceExplained) {
        if (!HeapAllocations.supported()) return;
        long bound = allowance + HEAP_SLACK_BYTES;
        assertTrue(allocated <= bound, () -> "allocated " + allocated + " heap bytes; bound " + bound + " = "
                + allowanceExplained + " + " + HEAP_SLACK_BYTES);
    }

    /**
     * The header length a safetensors file's prefix claims, clamped to what the file holds: what the reader may
     * parse, and so what {@link #HEADER_HEAP_FACTOR} applies to.
     */
    static long headerBytes(byte[] file) {
        if (file.length < 8) return 0;
        long claimed = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        return claimed < 0 ? 0 : Math.min(claimed, file.length - 8);
    }
}
