package amalgam.engine.tokenize;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens in a text, leftmost first and longest first among those starting at one place (the
 * reference's leftmost-longest Aho-Corasick), and cuts the text around them.
 */
final class AddedTokenMatcher {

    /** A stretch of the text: an added token's id, or -1 for text the model still has to tokenize. */
    record Segment(String text, int tokenId, boolean atStart) {}

    private record Candidate(String pattern, AddedToken token) {}

    /** Candidates by their first char, longest first. */
    private final Map<Character, List<Candidate>> byFirstChar = new HashMap<>();

    /** {@code patterns[i]} is the text to find for {@code tokens[i]} (its content, normalized where it says so). */
    AddedTokenMatcher(List<String> patterns, List<AddedToken> tokens) {
        for (int i = 0; i < tokens.size(); i++) {
            String pattern = patterns.get(i);
            if (pattern.isEmpty()) continue;
            byFirstChar.computeIfAbsent(pattern.charAt(0), c -> new ArrayList<>()).add(new Candidate(pattern, tokens.get(i)));
        }
        byFirstChar.values().forEach(list -> list.sort(Comparator.comparingInt((Candidate c) -> -c.pattern().length())));
    }

    boolean isEmpty() {
        return byFirstChar.isEmpty();
    }

    /** Appends the segments of {@code text} to {@code out}; {@code atStart} is whether the text begins the input. */
    void split(String text, boolean atStart, List<Segment> out) {
        if (byFirstChar.isEmpty()) {
            out.add(new Segment(text, -1, atStart));
            return;
        }
        int emitted = 0;
        int i = 0;
        while (i < text.length()) {
            Candidate match = longestAt(text, i);
            if (match == null) {
                i++;
                continue;
            }
            int start = i;
            int stop = i + match.pattern().length();
            AddedToken token = match.token();
            // A single_word token inside a word is no match, and the text it covered is not searched again.
            if (token.singleWord() && (endsWithWordChar(text, start) || startsWithWordChar(text, stop))) {
                i = stop;
                continue;
            }
            if (token.lstrip()) start = Math.max(UnicodeChars.trailingWhiteSpaceStart(text, start), emitted);
            if (token.rstrip()) stop = UnicodeChars.skipWhiteSpace(text, stop);
            if (emitted < start) out.add(new Segment(text.substring(emitted, start), -1, atStart && emitted == 0));
            out.add(new Segment(text.substring(start, stop), token.id(), atStart && start == 0));
            emitted = stop;
            i = stop;
        }
        if (emitted < text.length() || text.isEmpty()) {
            out.add(new Segment(text.substring(emitted), -1, atStart && emitted == 0));
        }
    }

    private Candidate longestAt(String text, int i) {
        List<Candidate> candidates = byFirstChar.get(text.charAt(i));
        if (candidates == null) return null;
        for (Candidate c : candidates) if (text.startsWith(c.pattern(), i)) return c;
        return null;
    }

    private static boolean endsWithWordChar(String text, int end) {
        return end > 0 && UnicodeChars.isWordChar(text.codePointBefore(end));
    }

    private static boolean startsWithWordChar(String text, int start) {
        return start < text.length() && UnicodeChars.isWordChar(text.codePointAt(start));
    }
}
