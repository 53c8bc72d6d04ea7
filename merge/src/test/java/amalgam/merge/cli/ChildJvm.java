package amalgam.merge.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code amalgam} main class in a fresh JVM with a heap limit of our choosing: the only way to
 * see what a command needs from the heap, since the test JVM's own heap is large and shared with the tests.
 */
final class ChildJvm {

    /** Generous: a run that needs longer has gone wrong (swapping, or a hang after an error in a worker). */
    private static final long TIMEOUT_SECONDS = 180;

    private ChildJvm() {}

    /** What the child printed and how it ended. */
    record Result(int exitCode, String out, String err) {

        /** Everything the child said, for assertion messages. */
        String transcript() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    /** {@code amalgam ARGS} with {@code -Xmx<maxHeap>}; stdout and stderr go through files in {@code scratch}. */
    static Result amalgam(String maxHeap, Path scratch, String... args) throws IOException, InterruptedException {
        return run(List.of(), maxHeap, scratch, args);
    }

    /**
     * {@code amalgam ARGS} unable to grow any file past {@code kib} KiB (the shell's {@code ulimit -f}): writes fail
     * as on a full disk (with "File too large", the JVM ignoring SIGXFSZ), on any file system, without root.
     */
    static Result amalgamWithFileSizeLimit(long kib, Path scratch, String... args)
            throws IOException, InterruptedException {
        return run(List.of("bash", "-c", "ulimit -f " + kib + " && exec \"$0\" \"$@\""), "256m", scratch, args);
    }

    private static Result run(List<String> launcher, String maxHeap, Path scratch, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(launcher);
        command.add(Installation.javaExecutable());
        command.addAll(Installation.JVM_FLAGS);
        command.add("-Xmx" + maxHeap);
        // No hsperfdata file: under a file size limit the JVM's own writes must not be what fails.
        command.add("-XX:-UsePerfData");
        command.addAll(List.of("-cp", classPath(), AmalgamCommand.class.getName()));
        command.addAll(List.of(args));
        Files.createDirectories(scratch);
        Path out = Files.createTempFile(scratch, "stdout", ".txt");
        Path err = Files.createTempFile(scratch, "stderr", ".txt");
        // Files, not pipes: a child blocked on a full pipe would look like a hang.
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("amalgam " + String.join(" ", args) + " did not finish in " + TIMEOUT_SECONDS
                    + " s\n" + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /**
     * The test class path. Surefire may run tests from a manifest-only jar, in which case java.class.path names
     * just that jar and the real entries are in surefire.test.class.path; either works for the child.
     */
    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
