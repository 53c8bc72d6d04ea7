package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The refusals of {@code amalgam dist}, which need no build. Building a real bundle is DistBundleIT's job, in
 * the bench module, after every jar is packaged.
 */
class DistCommandTest {

    @TempDir
    Path temp;

    private final String previousHome = System.getProperty("amalgam.home");

    @AfterEach
    void restoreHome() {
        if (previousHome == null) System.clearProperty("amalgam.home");
        else System.setProperty("amalgam.home", previousHome);
    }

    @Test
    void refusesToRunOutsideASourceTree() throws IOException {
        Path home = Files.createDirectories(temp.resolve("somewhere"));
        StringWriter err = new StringWriter();
        int status = runDist(home, err, "--out", temp.resolve("bundle").toString());
        assertEquals(2, status);
        assertTrue(err.toString().contains("only from a source tree"), err.toString());
        assertFalse(Files.exists(temp.resolve("bundle")));
    }

    @Test
    void refusesAnExistingOutputWithoutForce() throws IOException {
        Path home = sourceTreeWithoutBuild();
        Path existing = Files.createDirectories(temp.resolve("bundle"));
        StringWriter err = new StringWriter();
        int status = runDist(home, err, "--out", existing.toString());
        assertEquals(2, status);
        assertTrue(err.toString().contains("already exists (use --force to replace it)"), err.toString());
    }

    @Test
    void saysWhatToBuildAndLeavesNothingBehind() throws IOException {
        Path home = sourceTreeWithoutBuild();
        StringWriter err = new StringWriter();
        int status = runDist(home, err, "--out", temp.resolve("bundle").toString());
        assertEquals(2, status);
        assertTrue(err.toString().contains("amalgam-merge.jar: not built yet"), err.toString());
        try (Stream<Path> left = Files.list(temp)) {
            assertEquals(1, left.count(), "only the fake source tree remains: no bundle, no staging directory");
        }
    }

    private Path sourceTreeWithoutBuild() throws IOException {
        Path home = Files.createDirectories(temp.resolve("tree"));
        Files.writeString(home.resolve("pom.xml"), "<project/>");
        Files.createDirectories(home.resolve("merge"));
        return home;
    }

    private static int runDist(Path home, StringWriter err, String... arguments) {
        System.setProperty("amalgam.home", home.toString());
        CommandLine commandLine = AmalgamCommand.newCommandLine();
        commandLine.setErr(new PrintWriter(err, true));
        String[] all = new String[arguments.length + 1];
        all[0] = "dist";
        System.arraycopy(arguments, 0, all, 1, arguments.length);
        return commandLine.execute(all);
    }
}
