package amalgam.engine.tokenize;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a split does with the matches of its pattern, as the reference's {@code SplitDelimiterBehavior}: drop them,
 * keep each on its own, glue each to the piece before or after, or glue runs of matches together.
 */
enum SplitBehavior {
    REMOVED, ISOLATED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT, CONTIGUOUS;

    static SplitBehavior fromJson(ConfigNode node, String field) {
        String name = node.string(field);
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "removed" -> REMOVED;
            case "isolated" -> ISOLATED;
            case "mergedwithprevious" -> MERGED_WITH_PREVIOUS;
            case "mergedwithnext" -> MERGED_WITH_NEXT;
            case "contiguous" -> CONTIGUOUS;
            default -> throw node.error(field + " " + amalgam.engine.InputException.quote(name)
                    + " is not one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous");
        };
    }

    /** The [start, end) ranges of the pieces to keep, in order; empty ones are the caller's to drop. */
    List<int[]> apply(List<TextPattern.Span> spans) {
        List<int[]> out = new ArrayList<>(spans.size());
        switch (this) {
            case REMOVED -> {
                for (TextPattern.Span s : spans) if (!s.isMatch()) out.add(new int[] {s.start(), s.end()});
            }
            case ISOLATED -> {
                for (TextPattern.Span s : spans) out.add(new int[] {s.start(), s.end()});
            }
            case CONTIGUOUS, MERGED_WITH_PREVIOUS -> {
                boolean previousMatch = false;
                for (TextPattern.Span s : spans) {
                    boolean glue = this == CONTIGUOUS ? s.isMatch() == previousMatch : s.isMatch() && !previousMatch;
                    if (glue && !out.isEmpty()) out.getLast()[1] = s.end();
                    else out.add(new int[] {s.start(), s.end()});
                    previousMatch = s.isMatch();
                }
            }
            case MERGED_WITH_NEXT -> {
                boolean previousMatch = false;
                for (TextPattern.Span s : spans.reversed()) {
                    if (s.isMatch() && !previousMatch && !out.isEmpty()) out.getLast()[0] = s.start();
                    else out.add(new int[] {s.start(), s.end()});
                    previousMatch = s.isMatch();
                }
                out = new ArrayList<>(out.reversed());
            }
        }
        return out;
    }
}
