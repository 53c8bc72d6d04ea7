package amalgam.merge.cli;

import amalgam.engine.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code amalgam bench}: runs the JMH benchmarks in their own JVM with short settings and prints a table with
 * FLOP/s and the share of the peer (OpenBLAS) measured in the same run. The benchmark JVM runs on the same Java
 * as this one, and JMH forks its measurement JVMs with that Java too, so a bundle measures on its own runtime.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
                "Run JMH benchmarks with short settings and print a table: time per operation, GFLOP/s, and the "
                        + "percentage of OpenBLAS measured in the same run. For publication-grade numbers run the "
                        + "jar directly with JMH's defaults: java -jar bench/target/benchmarks.jar GemmBench (source "
                        + "tree). JMH's measurement JVMs are started with the same Java runtime as this one.",
                "",
                "Examples:",
                "  amalgam bench                         all GemmBench sizes, threads 1 and 2",
                "                                        (about two minutes)",
                "  amalgam bench -p n=1024 -p threads=2  one size",
                ""})
public final class BenchCommand implements Callable<Integer> {

    @Mixin
    BenchOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path jar = Installation.benchmarkJar();
        if (!Files.isRegularFile(jar)) {
            throw new InputException(jar.toString(), Installation.isBundle(Installation.home())
                    ? "benchmarks jar not found; the bundle is incomplete (write it again with amalgam dist)"
                    : "benchmarks jar not found; ./amalgam builds it on its next run");
        }
        List<String> command = new ArrayList<>();
        command.add(Installation.javaExecutable());
        command.addAll(Installation.JVM_FLAGS);
        command.add("-Damalgam.peers=" + Installation.peerScripts());
        command.add("-cp");
        command.add(Installation.benchmarkClasspath());
        command.add("amalgam.bench.BenchReport");
        command.addAll(argumentsAfterCommandName(spec.commandLine().getParseResult().originalArgs()));
        Process process = new ProcessBuilder(command).inheritIO().start();
        return process.waitFor();
    }

    /** picocli hands us the whole command line; the report parses only what follows "bench". */
    private List<String> argumentsAfterCommandName(List<String> original) {
        int at = original.indexOf(spec.name());
        return original.subList(at + 1, original.size());
    }
}
