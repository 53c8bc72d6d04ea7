package amalgam.merge.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class MergeProgressTest {

    private static final long SECOND = 1_000_000_000L;

    private long now;
    private final StringWriter text = new StringWriter();

    private MergeProgress progress(boolean terminal) {
        return new MergeProgress(new PrintWriter(text), terminal, 10, () -> now);
    }

    @Test
    void logGetsWholeLinesOnlyAfterASecondAndThenEveryFewSeconds() {
        MergeProgress progress = progress(false);
        progress.module(0, "a");
        now = SECOND / 2;
        progress.module(1, "b");
        assertEquals("", text.toString(), "a short merge stays silent");
        now = 1200 * 1_000_000L;
        progress.module(2, "c");
        now = 3 * SECOND;
        progress.module(3, "d");
        now = 7 * SECOND;
        progress.module(4, "e");
        progress.finish();
        assertEquals(String.format("amalgam merge: module 3/10 c, 1.2 s%namalgam merge: module 5/10 e, 7.0 s%n"),
                text.toString());
    }

    @Test
    void terminalLineIsRedrawnInPlaceAndErasedAtTheEnd() {
        MergeProgress progress = progress(true);
        progress.module(0, "long.module.name");
        now = SECOND / 10;
        progress.module(1, "skipped");
        now = SECOND;
        progress.module(9, "b");
        progress.finish();
        String first = "amalgam merge: module 1/10 long.module.name, 0.0 s";
        String last = "amalgam merge: module 10/10 b, 1.0 s";
        assertEquals("\r" + first + "\r" + last + " ".repeat(first.length() - last.length())
                + "\r" + " ".repeat(last.length()) + "\r", text.toString());
    }
}
