package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.io.FileDType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user meets when typing: suggestions for misspellings, a caught --weights 0.7 0.3, completion, man pages. */
class CliMannersTest {

    @TempDir
    Path dir;

    @Test
    void aMisspeltCommandGetsASuggestion() {
        MergeRuns.Run run = MergeRuns.run("merg");
        run.assertBadInput("merg", "did you mean merge?");
    }

    @Test
    void aMisspeltOptionGetsASuggestion() throws IOException {
        Path a = MergeRuns.adapter(dir.resolve("a"), 1, 2, 4, FileDType.F32);
        MergeRuns.Run run = MergeRuns.run("merge", "--method", "ties", "--densty", "0.5", "--out",
                dir.resolve("out").toString(), a.toString());
        run.assertBadInput("--densty", "did you mean --density");
    }

    @Test
    void aBareNumberAmongTheAdaptersNamesTheCommaSeparatedForm() throws IOException {
        Path a = MergeRuns.adapter(dir.resolve("a"), 1, 2, 4, FileDType.F32);
        Path b = MergeRuns.adapter(dir.resolve("b"), 2, 2, 4, FileDType.F32);
        MergeRuns.Run run = MergeRuns.merge(dir.resolve("out"), List.of(a, b, Path.of("0.3")),
                "--method", "linear", "--weights", "0.7");
        run.assertBadInput("'0.3' is a number", "--weights 0.7,0.3");
        assertTrue(Files.notExists(dir.resolve("out")));
    }

    @Test
    void completionKnowsTheCommandsAndTheirOptions() {
        MergeRuns.Run run = MergeRuns.run("completion");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("complete -F"), "a bash completion script");
        for (String word : List.of("merge", "inspect", "train-coefficients", "--density", "--min-energy")) {
            assertTrue(run.out().contains(word), word);
        }
    }

    @Test
    void manWritesOnePagePerCommandAndRefusesToClobber() throws IOException {
        Path pages = dir.resolve("man");
        MergeRuns.Run run = MergeRuns.run("man", pages.toString());
        assertEquals(0, run.exitCode(), run.err());
        String merge = Files.readString(pages.resolve("amalgam-merge.adoc"));
        assertTrue(merge.contains(":doctype: manpage"), merge.lines().limit(5).toList().toString());
        assertTrue(merge.contains("--min-energy"));
        try (Stream<Path> files = Files.list(pages)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.containsAll(List.of("amalgam.adoc", "amalgam-inspect.adoc", "amalgam-man.adoc")), names.toString());
            assertTrue(names.stream().noneMatch(n -> n.equals("amalgam-help.adoc")), names.toString());
        }
        MergeRuns.run("man", pages.toString()).assertBadInput(pages.toString());
    }
}
