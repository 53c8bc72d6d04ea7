package amalgam.engine.tokenize;

/**
 * The character classes of Rust's {@code char} methods that the reference tokenizer uses, on code points. Java's
 * own {@code Character.isWhitespace} differs (it excludes U+00A0 and includes U+001C..U+001F), hence these.
 */
final class UnicodeChars {

    private UnicodeChars() {}

    /** Unicode White_Space, as Rust's {@code char::is_whitespace}. */
    static boolean isWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0d) || cp == 0x85 || Character.isSpaceChar(cp);
    }

    /** Any Number category (Nd, Nl, No), as Rust's {@code char::is_numeric}. */
    static boolean isNumeric(int cp) {
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    /** A regex {@code \w} character: alphabetic, numeric or underscore. */
    static boolean isWordChar(int cp) {
        return Character.isAlphabetic(cp) || isNumeric(cp) || cp == '_';
    }

    static boolean isMark(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    /** Index just past the leading white space of {@code s}. */
    static int skipWhiteSpace(String s, int from) {
        int i = from;
        while (i < s.length() && isWhiteSpace(s.codePointAt(i))) i += Character.charCount(s.codePointAt(i));
        return i;
    }

    /** Index where the trailing white space of {@code s[0, end)} begins. */
    static int trailingWhiteSpaceStart(String s, int end) {
        int i = end;
        while (i > 0 && isWhiteSpace(s.codePointBefore(i))) i -= Character.charCount(s.codePointBefore(i));
        return i;
    }
}
