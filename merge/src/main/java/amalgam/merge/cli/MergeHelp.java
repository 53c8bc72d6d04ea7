package amalgam.merge.cli;

import amalgam.merge.algorithms.MergeMethod;
import amalgam.merge.algorithms.MethodParameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The "Methods" part of {@code amalgam merge --help}, written from the methods' own declarations so that a new
 * method or parameter appears in the help without anyone editing it.
 */
final class MergeHelp {

    /** Where in the command's description the methods go. */
    static final String PLACEHOLDER = "@methods@";

    private static final int WIDTH = 80;
    private static final int NAME_COLUMN = 19;

    private MergeHelp() {}

    /** One entry per method: its summary, its aliases and the parameters it takes, as preformatted lines. */
    static List<String> methods() {
        List<String> lines = new ArrayList<>();
        String unlike = Arrays.stream(MethodParameter.values())
                .filter(p -> !p.option().equals("--" + p.key().replace('_', '-')))
                .map(p -> p.key() + " " + p.option()).collect(Collectors.joining(", "));
        lines.add("Methods, each with the parameters it takes (w = weight, default 1 for every adapter; "
                + "d = density). In a config file a parameter is its name; as an option it is --NAME with - for _ "
                + "(but " + unlike + "):");
        for (MergeMethod m : MergeMethod.values()) {
            String summary = m.summary() + (m.aliases().isEmpty() ? "" : "; also called " + String.join(", ", m.aliases()));
            lines.addAll(wrap(String.format("  %-" + (NAME_COLUMN - 3) + "s ", m.cliName()), summary));
            String takes = m.parameters().stream().map(MethodParameter::key).collect(Collectors.joining(" "));
            lines.addAll(wrap(" ".repeat(NAME_COLUMN), "takes: " + takes));
        }
        lines.addAll(wrap("  ", "PEFT's " + String.join(", ", MergeMethod.PEFT_SVD_NAMES) + " mean the method "
                + "without _svd in the delta space (the default here)."));
        return lines;
    }

    /** {@code text} wrapped to the width, the first line after {@code first}, the others under it. */
    static List<String> wrap(String first, String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(first);
        String indent = " ".repeat(first.length());
        for (String word : text.split(" ")) {
            boolean fresh = line.length() == first.length() || line.toString().isBlank();
            if (!fresh && line.length() + 1 + word.length() > WIDTH) {
                lines.add(line.toString());
                line = new StringBuilder(indent);
                fresh = true;
            }
            if (!fresh) line.append(' ');
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}
