package amalgam.merge.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the running installation keeps its parts. The launcher (./amalgam, or bin/amalgam of a bundle) passes
 * {@code amalgam.home} and {@code amalgam.java}; without them we fall back to the working directory and the
 * JVM we run on.
 *
 * <p>Two layouts exist: the source tree, where Maven builds the jars under each module's {@code target}, and the
 * bundle made by {@code amalgam dist}, where every jar sits in {@code lib/} and a trimmed Java runtime in
 * {@code runtime/}.
 */
final class Installation {

    /** Flags every JVM of ours needs: the incubating Vector API and native access for FFM. */
    static final List<String> JVM_FLAGS =
            List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED");

    private Installation() {}

    static Path home() {
        return Path.of(System.getProperty("amalgam.home", ".")).toAbsolutePath().normalize();
    }

    static String javaExecutable() {
        String configured = System.getProperty("amalgam.java");
        if (configured != null) return configured;
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** A checkout with its Maven build: the only place {@code amalgam dist} can collect its parts from. */
    static boolean isSourceTree(Path home) {
        return Files.isRegularFile(home.resolve("pom.xml")) && Files.isDirectory(home.resolve("merge"));
    }

    /** A bundle written by {@code amalgam dist}: a runtime of its own and all jars in lib/. */
    /** Where {@code amalgam bench --peers} finds the PyTorch peer scripts: the bundle's peers/, or bench/peers. */
    static Path peerScripts() {
        Path home = home();
        return isBundle(home) ? home.resolve(BundleLayout.PEERS) : home.resolve(EvidenceScripts.PEERS);
    }

    static boolean isBundle(Path home) {
        return Files.isDirectory(home.resolve(BundleLayout.RUNTIME)) && Files.isDirectory(home.resolve(BundleLayout.LIB));
    }

    /**
     * The class path of the benchmark JVM. A bundle carries the thin benchmark jar with JMH beside the CLI's jars,
     * so {@code lib/*} serves both; a source tree has the shaded jar, which holds everything in one file.
     */
    static String benchmarkClasspath() {
        Path home = home();
        if (isBundle(home)) return home.resolve(BundleLayout.LIB).resolve("*").toString();
        return home.resolve("bench/target/benchmarks.jar").toString();
    }

    /** The file {@link #benchmarkClasspath()} cannot do without: the benchmark list JMH reads. */
    static Path benchmarkJar() {
        Path home = home();
        if (isBundle(home)) return home.resolve(BundleLayout.LIB).resolve(BundleLayout.BENCH_JAR);
        return home.resolve("bench/target/benchmarks.jar");
    }
}
