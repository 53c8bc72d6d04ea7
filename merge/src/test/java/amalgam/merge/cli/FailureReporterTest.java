package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The JVM's resource errors reach the user as one line, like every other failure. */
class FailureReporterTest {

    @Command(name = "explode")
    static final class Exploding implements Runnable {
        final Error error;

        Exploding(Error error) {
            this.error = error;
        }

        @Override
        public void run() {
            throw error;
        }
    }

    private static List<String> stderrOf(Error error, int expectedExit) {
        CommandLine cli = new CommandLine(new Exploding(error));
        FailureReporter reporter = new FailureReporter();
        cli.setExecutionExceptionHandler(reporter);
        cli.setExecutionStrategy(FailureReporter.reportingErrors(new CommandLine.RunLast()));
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertEquals(expectedExit, cli.execute());
        return err.toString().lines().toList();
    }

    @Test
    void outOfMemoryIsOneLineWithTheRemedy() {
        List<String> lines = stderrOf(new OutOfMemoryError("Java heap space"), FailureReporter.FAILURE);
        assertTrue(lines.getFirst().startsWith("amalgam: error: out of memory (Java heap space)"), lines.toString());
        assertTrue(lines.getFirst().contains("AMALGAM_JAVA_OPTS=-Xmx"), lines.toString());
        assertEquals(2, lines.size(), "the error and the --debug hint, no stack trace: " + lines);
    }

    @Test
    void stackOverflowIsOneLine() {
        List<String> lines = stderrOf(new StackOverflowError(), FailureReporter.FAILURE);
        assertTrue(lines.getFirst().contains("nested too deeply"), lines.toString());
        assertEquals(2, lines.size(), lines.toString());
    }
}
