package amalgam.merge.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.merge.InputException;

/** The properties every fuzz target in this package checks after each input. */
final class FuzzBounds {

    /**
     * Heap a parse may take beyond the input's own size: Jackson's parser and buffers, the tensor table, error
     * messages. Real work is a few kilobytes; the bound is what the inputs need plus headroom, not a guess at a
     * megabyte (see docs/fuzzing.md for the measurements behind it).
     */
    static final long HEAP_SLACK_BYTES = 64 << 10;
    /**
     * Heap per byte of config: a JSON tree node costs tens of bytes where its text costs a few (three bytes of
     * {@code []} become an ArrayNode and its list).
     */
    static final long CONFIG_HEAP_FACTOR = 64;

    private FuzzBounds() {}

    /** The one-line contract the command line relies on when it prints the message. */
    static void assertOneLine(InputException e) {
        String message = e.getMessage();
        assertFalse(message.isBlank(), "InputException without a message");
        assertFalse(message.contains("\n") || message.contains("\r"), () -> "multi-line message: " + message);
    }

    /** The heap allocated on this thread since {@code before} is at most {@code inputBytes} plus the slack. */
    static void assertHeapWithin(long before, long inputBytes) {
        assertHeapWithin(before, inputBytes, 1);
    }

    /** The heap allocated on this thread since {@code before} is at most {@code factor × inputBytes} plus the slack. */
    static void assertHeapWithin(long before, long inputBytes, long factor) {
        if (!HeapAllocations.supported()) return;
        long allocated = HeapAllocations.currentThread() - before;
        long bound = factor * inputBytes + HEAP_SLACK_BYTES;
        assertTrue(allocated <= bound, () -> "allocated " + allocated + " heap bytes for a " + inputBytes
                + "-byte input (bound: " + factor + " × input + " + HEAP_SLACK_BYTES + " = " + bound + ")");
    }
}
