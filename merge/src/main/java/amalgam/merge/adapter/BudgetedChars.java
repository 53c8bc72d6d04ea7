package amalgam.merge.adapter;

/**
 * A string whose characters may be read only so many times: handed to a regex matcher, it bounds the work of one
 * match, since every step of java.util.regex reads the input through {@link #charAt}.
 */
final class BudgetedChars implements CharSequence {

    /** The budget ran out: the match was abandoned. */
    static final class Exhausted extends RuntimeException {
        Exhausted() {
            super(null, null, false, false);
        }
    }

    private final String text;
    private final long[] left; // shared by subSequence views, so that one match has one budget

    BudgetedChars(String text, long budget) {
        this(text, new long[] {budget});
    }

    private BudgetedChars(String text, long[] left) {
        this.text = text;
        this.left = left;
    }

    @Override
    public char charAt(int index) {
        if (--left[0] < 0) throw new Exhausted();
        return text.charAt(index);
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new BudgetedChars(text.substring(start, end), left);
    }

    @Override
    public String toString() {
        return text;
    }
}
