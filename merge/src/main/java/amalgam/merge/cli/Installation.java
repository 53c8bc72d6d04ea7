package amalgam.merge.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * Where the running installation keeps its parts. The launcher (./amalgam, or bin/amalgam of a bundle) passes
 * {@code amalgam.home} and {@code amalgam.java}; without them we fall back to the working directory and the
 * JVM we run on.
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

    /** The shaded JMH jar: in a source tree under bench/target, in a bundle under lib/. */
    static Path benchmarksJar() {
        Path inTree = home().resolve("bench/target/benchmarks.jar");
        Path inBundle = home().resolve("lib/benchmarks.jar");
        return inTree.toFile().isFile() || !inBundle.toFile().isFile() ? inTree : inBundle;
    }
}
