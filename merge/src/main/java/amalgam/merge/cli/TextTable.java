package amalgam.merge.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The tables {@code inspect} prints: columns two spaces apart, text left-aligned, numbers right-aligned. */
final class TextTable {

    private final boolean[] leftAligned;
    private final List<String[]> rows = new ArrayList<>();

    /** {@code leftAligned[c]} for each column; the first row added is the header. */
    TextTable(boolean... leftAligned) {
        this.leftAligned = leftAligned;
    }

    TextTable add(String... cells) {
        if (cells.length != leftAligned.length) {
            throw new IllegalArgumentException(cells.length + " cells for " + leftAligned.length + " columns");
        }
        rows.add(cells);
        return this;
    }

    void print(PrintWriter out) {
        int[] widths = new int[leftAligned.length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) widths[c] = Math.max(widths[c], row[c].length());
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                String pad = " ".repeat(widths[c] - row[c].length());
                line.append(leftAligned[c] ? row[c] + pad : pad + row[c]);
                if (c < row.length - 1) line.append("  ");
            }
            out.println(line.toString().stripTrailing());
        }
    }

    /** Integers as integers, the rest to five significant digits. */
    static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e9) return Long.toString((long) value);
        return String.format(Locale.ROOT, "%.5g", value);
    }
}
