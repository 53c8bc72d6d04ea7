package amalgam.merge.pipeline;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The "module i/N" progress on stderr. On a terminal: one line redrawn in place a few times a second and erased
 * at the end. Elsewhere (a log, a pipe, a test): nothing during the first second, so short merges stay silent,
 * then a whole line every few seconds, because carriage returns would run together in a file.
 */
public final class MergeProgress {

    /** Prefix of every progress line, so logs can be filtered. */
    public static final String PREFIX = "amalgam merge: module ";

    private static final long QUIET_NANOS = 1_000_000_000L;
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final long LOG_LINE_NANOS = 5_000_000_000L;

    private final PrintWriter err;
    private final boolean terminal;
    private final int total;
    private final LongSupplier clock;
    private final long start;
    private long lastDrawn;
    private int lastLength;

    MergeProgress(PrintWriter err, boolean terminal, int total) {
        this(err, terminal, total, System::nanoTime);
    }

    /** With a clock in nanoseconds, which tests control. */
    MergeProgress(PrintWriter err, boolean terminal, int total, LongSupplier clock) {
        this.err = err;
        this.terminal = terminal;
        this.total = total;
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    /** Whether stderr probably is a terminal: Java cannot ask about stderr itself, so it asks the console. */
    public static boolean stderrIsTerminal() {
        return System.console() != null && System.console().isTerminal();
    }

    /** Reports that module {@code index} (from 0) of the total is being merged. */
    void module(int index, String name) {
        long now = clock.getAsLong();
        String line = String.format(Locale.ROOT, "%s%d/%d %s, %.1f s", PREFIX, index + 1, total, name, seconds(now));
        if (terminal) {
            if (lastLength > 0 && now - lastDrawn < REDRAW_NANOS) return;
            // Pad over the previous line's tail: a carriage return alone does not erase it.
            err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
        } else {
            if (now - start < QUIET_NANOS || (lastDrawn != 0 && now - lastDrawn < LOG_LINE_NANOS)) return;
            err.println(line);
        }
        err.flush();
        lastDrawn = now;
    }

    /** Erases the terminal line, so whatever follows starts on a clean one. */
    void finish() {
        if (lastLength == 0) return;
        err.print("\r" + " ".repeat(lastLength) + "\r");
        err.flush();
        lastLength = 0;
    }

    double elapsedSeconds() {
        return seconds(clock.getAsLong());
    }

    private double seconds(long now) {
        return (now - start) / 1e9;
    }
}
