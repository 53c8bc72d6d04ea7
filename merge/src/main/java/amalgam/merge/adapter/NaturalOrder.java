package amalgam.merge.adapter;

import java.util.Comparator;

/**
 * Orders names as a person reads them: runs of digits compare by their value, so {@code layers.2} comes before
 * {@code layers.10}, and everything else compares character by character. Names equal but for leading zeros
 * ({@code layers.01}, {@code layers.1}) fall back to plain string order, keeping the order total and consistent
 * with {@link String#equals}, as a sorted set needs.
 */
public final class NaturalOrder implements Comparator<String> {

    public static final NaturalOrder INSTANCE = new NaturalOrder();

    private NaturalOrder() {}

    @Override
    public int compare(String x, String y) {
        int i = 0, j = 0;
        while (i < x.length() && j < y.length()) {
            char cx = x.charAt(i), cy = y.charAt(j);
            if (isDigit(cx) && isDigit(cy)) {
                int endX = digitsEnd(x, i), endY = digitsEnd(y, j);
                int byValue = compareDigits(x, i, endX, y, j, endY);
                if (byValue != 0) return byValue;
                i = endX;
                j = endY;
            } else {
                if (cx != cy) return Character.compare(cx, cy);
                i++;
                j++;
            }
        }
        int byLength = Integer.compare(x.length() - i, y.length() - j);
        return byLength != 0 ? byLength : x.compareTo(y);
    }

    /** ASCII digits only: module names are ASCII, and other scripts' digits have no agreed value here. */
    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int digitsEnd(String s, int from) {
        int end = from;
        while (end < s.length() && isDigit(s.charAt(end))) end++;
        return end;
    }

    /** Compares two digit runs by value without parsing them, so a run of any length cannot overflow. */
    private static int compareDigits(String x, int fromX, int endX, String y, int fromY, int endY) {
        while (fromX < endX - 1 && x.charAt(fromX) == '0') fromX++;
        while (fromY < endY - 1 && y.charAt(fromY) == '0') fromY++;
        int byLength = Integer.compare(endX - fromX, endY - fromY);
        if (byLength != 0) return byLength;
        for (; fromX < endX; fromX++, fromY++) {
            int byDigit = Character.compare(x.charAt(fromX), y.charAt(fromY));
            if (byDigit != 0) return byDigit;
        }
        return 0;
    }
}
