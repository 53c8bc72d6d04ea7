package amalgam.merge.cli;

import amalgam.engine.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JDK tool (jdeps, jlink) run as a program beside the {@code java} the CLI runs on, so the bundle's runtime is
 * linked from the very JDK that built and runs Amalgam.
 */
final class ExternalTool {

    private final Path executable;

    private ExternalTool(Path executable) {
        this.executable = executable;
    }

    /** The tool named {@code name} in the bin directory of {@code java}; a JRE lacks them, which we say plainly. */
    static ExternalTool besideJava(String java, String name) {
        Path javaPath = Path.of(java).toAbsolutePath();
        Path tool = javaPath.resolveSibling(name);
        if (!Files.isExecutable(tool)) {
            throw new InputException(tool.toString(),
                    "not found: amalgam dist needs the " + name + " of a full JDK beside " + javaPath);
        }
        return new ExternalTool(tool);
    }

    /** Runs the tool and returns its output (stdout and stderr together); a non-zero exit is an error with it. */
    String run(List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = process.waitFor();
        if (status != 0) {
            throw new IOException(executable.getFileName() + " failed with exit code " + status + ": "
                    + output.strip().lines().filter(line -> !line.startsWith("WARNING: Using incubator modules"))
                    .reduce((first, second) -> second).orElse("(no output)"));
        }
        return output;
    }
}
