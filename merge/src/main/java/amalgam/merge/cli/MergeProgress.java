package amalgam.merge.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The in-place "module i/N" line on stderr. Shown at once on a terminal; elsewhere (a log, a test) only once the
 * merge has run for a second, so short merges stay silent. Redrawn at most a few times a second.
 */
final class MergeProgress {

    /** Prefix of every progress line, so logs can be filtered. */
    static final String PREFIX = "amalgam merge: module ";

    private static final long QUIET_NANOS = 1_000_000_000L;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintWriter err;
    private final boolean terminal;
    private final int total;
    private final long start = System.nanoTime();
    private long lastDrawn;
    private int lastLength;

    MergeProgress(PrintWriter err, boolean terminal, int total) {
        this.err = err;
        this.terminal = terminal;
        this.total = total;
    }

    /** Whether stderr probably is a terminal: Java cannot ask about stderr itself, so it asks the console. */
    static boolean stderrIsTerminal() {
        return System.console() != null && System.console().isTerminal();
    }

    /** Reports that module {@code index} (from 0) of the total is being merged. */
    void module(int index, String name) {
        long now = System.nanoTime();
        if (!terminal && now - start < QUIET_NANOS) return;
        if (lastLength > 0 && now - lastDrawn < REDRAW_NANOS) return;
        String line = String.format(Locale.ROOT, "%s%d/%d %s, %.1f s", PREFIX, index + 1, total, name, seconds(now));
        // Pad over the previous line's tail: carriage return alone does not erase.
        err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
        err.flush();
        lastDrawn = now;
        lastLength = line.length();
    }

    /** Ends the line, so whatever follows starts on a fresh one. */
    void finish() {
        if (lastLength == 0) return;
        err.print(terminal ? "\r" + " ".repeat(lastLength) + "\r" : System.lineSeparator());
        err.flush();
        lastLength = 0;
    }

    double elapsedSeconds() {
        return seconds(System.nanoTime());
    }

    private double seconds(long now) {
        return (now - start) / 1e9;
    }
}
