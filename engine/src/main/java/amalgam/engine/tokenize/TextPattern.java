package amalgam.engine.tokenize;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code pattern} of a Split pre-tokenizer or a Replace normalizer or decoder: {@code {"String": "▁"}} (a
 * literal) or {@code {"Regex": "..."}} (Oniguruma syntax). Compiled once; java.util.regex patterns are
 * thread-safe.
 */
record TextPattern(Pattern regex, String literal) {

    /** One stretch of a text: a match of the pattern, or the text between two matches. */
    record Span(int start, int end, boolean isMatch) {}

    static TextPattern fromJson(ConfigNode pattern) {
        if (pattern.has("String")) return literal(pattern.string("String"));
        if (pattern.has("Regex")) return new TextPattern(OnigurumaRegex.compile(pattern.string("Regex"), pattern), null);
        throw pattern.error("must hold a \"String\" or a \"Regex\"");
    }

    static TextPattern literal(String text) {
        return new TextPattern(Pattern.compile(Pattern.quote(text)), text);
    }

    static TextPattern regex(String javaRegex) {
        return new TextPattern(Pattern.compile(javaRegex, Pattern.UNICODE_CHARACTER_CLASS), null);
    }

    String replaceAll(String text, String content) {
        if (literal != null) return text.replace(literal, content);
        return regex.matcher(text).replaceAll(Matcher.quoteReplacement(content));
    }

    /** The whole text cut into matches and the stretches between them, in order; {@code invert} swaps the two. */
    List<Span> spans(String text, boolean invert) {
        List<Span> spans = new ArrayList<>();
        if (text.isEmpty()) {
            spans.add(new Span(0, 0, invert));
            return spans;
        }
        Matcher m = regex.matcher(text);
        int previous = 0;
        while (m.find()) {
            if (m.start() != previous) spans.add(new Span(previous, m.start(), invert));
            spans.add(new Span(m.start(), m.end(), !invert));
            previous = m.end();
        }
        if (previous != text.length()) spans.add(new Span(previous, text.length(), invert));
        return spans;
    }
}
