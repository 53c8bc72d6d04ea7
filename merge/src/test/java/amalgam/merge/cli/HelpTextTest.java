package amalgam.merge.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command's help reads well at 80 columns: picocli wraps each description string by itself, so prose is one
 * string per paragraph (a string that stops mid-sentence was hard-wrapped and comes out ragged) and indented,
 * preformatted lines (tables, examples) fit as they are.
 */
class HelpTextTest {

    private static final int WIDTH = 80;

    @Test
    void descriptionsAreWholeParagraphsOrPreformattedLinesThatFit() {
        List<String> problems = new ArrayList<>();
        for (CommandLine command : commands()) {
            CommandLine.Model.UsageMessageSpec usage = command.getCommandSpec().usageMessage();
            assertEquals(WIDTH, usage.width(), "picocli's default width");
            List<String> lines = new ArrayList<>(List.of(usage.description()));
            lines.addAll(List.of(usage.footer()));
            for (String text : lines) {
                String line = text.endsWith("%n") ? text.substring(0, text.length() - 2) : text; // picocli's line break
                String where = command.getCommandSpec().qualifiedName() + ": '" + line + "'";
                if (line.isBlank()) continue;
                if (line.startsWith(" ")) {
                    if (line.length() > WIDTH) problems.add(where + " is preformatted but longer than " + WIDTH);
                } else if (!(line.endsWith(".") || line.endsWith(":"))) {
                    problems.add(where + " stops mid-paragraph");
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everyCommandIsChecked() {
        List<String> names = commands().stream().map(c -> c.getCommandName()).toList();
        for (String name : List.of("amalgam", "merge", "train-coefficients", "demo", "dil", "inspect", "bench", "dist",
                "selfcheck")) {
            assertTrue(names.contains(name), name + " in " + names);
        }
    }

    private static List<CommandLine> commands() {
        CommandLine root = AmalgamCommand.newCommandLine();
        List<CommandLine> out = new ArrayList<>(List.of(root));
        out.addAll(root.getSubcommands().values());
        return out;
    }
}
