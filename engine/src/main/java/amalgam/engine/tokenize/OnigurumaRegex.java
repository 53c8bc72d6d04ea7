package amalgam.engine.tokenize;

import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The regexes of tokenizer.json are written for Oniguruma (the reference library's regex engine); this turns one
 * into a java.util.regex pattern with the same meaning for the constructs tokenizers use.
 *
 * <p>Oniguruma matches UTF-8 text with Unicode classes, so {@code \s}, {@code \w} and {@code \d} are Unicode here
 * too (UNICODE_CHARACTER_CLASS: {@code \s} is White_Space, which covers U+3000 and U+00A0). The rest is spelling:
 * script names ({@code \p{Han}} is {@code \p{IsHan}} in Java), {@code \p{^L}} negation, {@code \h} (a hex digit in
 * Oniguruma, horizontal space in Java) and POSIX brackets.
 */
final class OnigurumaRegex {

    private static final Map<String, String> POSIX_CLASSES = Map.ofEntries(
            Map.entry("alpha", "\\p{Alpha}"), Map.entry("digit", "\\d"), Map.entry("alnum", "\\p{Alnum}"),
            Map.entry("upper", "\\p{Upper}"), Map.entry("lower", "\\p{Lower}"), Map.entry("space", "\\s"),
            Map.entry("punct", "\\p{Punct}"), Map.entry("xdigit", "\\p{XDigit}"), Map.entry("word", "\\w"),
            Map.entry("cntrl", "\\p{Cntrl}"), Map.entry("print", "\\p{Print}"), Map.entry("graph", "\\p{Graph}"),
            Map.entry("blank", "\\p{Blank}"));

    private OnigurumaRegex() {}

    static Pattern compile(String source, ConfigNode where) {
        try {
            return Pattern.compile(translate(source), Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw where.error("pattern is not a regex this tokenizer understands: " + e.getDescription()
                    + " near index " + e.getIndex());
        }
    }

    static String translate(String source) {
        StringBuilder out = new StringBuilder(source.length() + 16);
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '\\' && i + 1 < source.length()) {
                char next = source.charAt(i + 1);
                if ((next == 'p' || next == 'P') && i + 2 < source.length() && source.charAt(i + 2) == '{') {
                    int close = source.indexOf('}', i + 3);
                    if (close > 0) {
                        out.append(property(next == 'P', source.substring(i + 3, close)));
                        i = close + 1;
                        continue;
                    }
                }
                if (next == 'h') out.append("\\p{XDigit}");
                else if (next == 'H') out.append("\\P{XDigit}");
                else out.append(c).append(next);
                i += 2;
                continue;
            }
            if (c == '[' && source.startsWith("[:", i)) {
                int close = source.indexOf(":]", i + 2);
                if (close > 0) {
                    String name = source.substring(i + 2, close);
                    boolean negated = name.startsWith("^");
                    String java = POSIX_CLASSES.get(negated ? name.substring(1) : name);
                    if (java != null) {
                        out.append(negated ? "[^" + java + "]" : java);
                        i = close + 2;
                        continue;
                    }
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static String property(boolean negated, String name) {
        if (name.startsWith("^")) {
            negated = !negated;
            name = name.substring(1);
        }
        return (negated ? "\\P{" : "\\p{") + javaPropertyName(name) + "}";
    }

    /** Categories (L, Nd) and POSIX names (Alpha) read the same in Java; scripts and binary properties need "Is". */
    private static String javaPropertyName(String name) {
        try {
            Pattern.compile("\\p{" + name + "}");
            return name;
        } catch (PatternSyntaxException e) {
            return "Is" + name;
        }
    }
}
