package amalgam.engine;

/**
 * Bad input from the user: a malformed or inconsistent file, a missing path, an option that cannot work.
 *
 * <p>The message is one line of the form {@code <where>: <what>}, naming the file, tensor or option at fault, so
 * that the command line can print it as {@code amalgam: error: <message>} and exit with status 2. Everything else
 * that goes wrong is a bug or an environment failure and is not this type.
 */
public final class InputException extends RuntimeException {

    /** Longest quoted name we echo back: hostile files can carry megabyte-long tensor names. */
    private static final int MAX_QUOTED_LENGTH = 120;

    public InputException(String where, String what) {
        super(oneLine(where + ": " + what));
    }

    public InputException(String where, String what, Throwable cause) {
        super(oneLine(where + ": " + what), cause);
    }

    /**
     * A name taken from a file, quoted for an error message: control characters escaped (a newline inside a tensor
     * name must not break the one-line contract) and very long names shortened.
     */
    public static String quote(String name) {
        StringBuilder out = new StringBuilder(Math.min(name.length(), MAX_QUOTED_LENGTH) + 8).append('\'');
        for (int i = 0; i < name.length(); i++) {
            if (i == MAX_QUOTED_LENGTH) {
                out.append("…(").append(name.length()).append(" chars)");
                break;
            }
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isISOControl(c)) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('\'').toString();
    }

    private static String oneLine(String message) {
        return message.replace('\n', ' ').replace('\r', ' ');
    }
}
