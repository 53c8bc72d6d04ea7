package amalgam.engine.tokenize;

import java.text.Normalizer.Form;
import java.util.List;
import java.util.Locale;

/** The normalizer types of tokenizer.json, each a few lines, and the one switch that reads them. */
final class Normalizers {

    private Normalizers() {}

    static Normalizer fromJson(ConfigNode node) {
        if (node == null) return Normalizer.IDENTITY;
        return switch (node.type()) {
            case "Sequence" -> sequence(node.array("normalizers").stream().map(Normalizers::fromJson).toList());
            case "Prepend" -> prepend(node.string("prepend"));
            case "Replace" -> replace(TextPattern.fromJson(node.requiredObject("pattern")), node.string("content"));
            case "NFC" -> unicode(Form.NFC);
            case "NFD" -> unicode(Form.NFD);
            case "NFKC" -> unicode(Form.NFKC);
            case "NFKD" -> unicode(Form.NFKD);
            case "Lowercase" -> Normalizers::lowercase;
            case "Strip" -> strip(node.bool("strip_left", true), node.bool("strip_right", true));
            case "StripAccents" -> Normalizers::stripAccents;
            default -> throw node.unsupported("normalizer");
        };
    }

    static Normalizer sequence(List<Normalizer> steps) {
        return text -> {
            for (Normalizer step : steps) text = step.normalize(text);
            return text;
        };
    }

    /** Nothing is prepended to an empty piece: the reference leaves "" as "". */
    static Normalizer prepend(String prefix) {
        return text -> text.isEmpty() ? text : prefix + text;
    }

    static Normalizer replace(TextPattern pattern, String content) {
        return text -> pattern.replaceAll(text, content);
    }

    static Normalizer unicode(Form form) {
        return text -> java.text.Normalizer.normalize(text, form);
    }

    /**
     * Code point by code point, as the reference does: no context rules (a final Σ becomes σ, not ς), but the
     * one-to-many mappings (İ to i̇) still apply.
     */
    static String lowercase(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (cp < 0x80) out.append((char) Character.toLowerCase(cp));
            else out.append(Character.toString(cp).toLowerCase(Locale.ROOT));
        });
        return out.toString();
    }

    static Normalizer strip(boolean left, boolean right) {
        return text -> {
            int start = left ? UnicodeChars.skipWhiteSpace(text, 0) : 0;
            int end = right ? UnicodeChars.trailingWhiteSpaceStart(text, text.length()) : text.length();
            return start >= end ? "" : text.substring(start, end);
        };
    }

    /** Drops combining marks; tokenizers put an NFD normalizer before it so that accents are marks by then. */
    static String stripAccents(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().filter(cp -> !UnicodeChars.isMark(cp)).forEach(out::appendCodePoint);
        return out.toString();
    }
}
