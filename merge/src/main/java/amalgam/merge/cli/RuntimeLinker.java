package amalgam.merge.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Links the bundle's Java runtime: jdeps says which JDK modules our jars use, a few are added or dropped for
 * reasons jdeps cannot see, and jlink writes a runtime holding only those.
 */
final class RuntimeLinker {

    /**
     * Modules no class refers to statically but a run needs: the Vector API is added by a command-line flag, and
     * JMH's host and forked JVMs read their arguments and pids through the management interfaces.
     */
    static final Set<String> ADDED = Set.of("jdk.incubator.vector", "java.management", "jdk.management",
            // progressbar and jline need java.logging; they are not given to jdeps (below).
            "java.logging");

    /**
     * Jars jdeps cannot analyse: progressbar is a named module requiring org.jline.terminal, which jline only
     * provides as an automatic module, and jdeps stops at that. Their JDK needs are in {@link #ADDED}.
     */
    static boolean analysable(Path jar) {
        String name = jar.getFileName().toString();
        return !name.startsWith("progressbar-") && !name.startsWith("jline-");
    }

    /**
     * Modules jdeps reports that we leave out to stay within the size limit: java.desktop (about 12 MiB with its
     * native AWT libraries) is reached only through commons-math3's 2-D geometry, which we do not use, and
     * through Jackson's optional java.beans support, which Jackson loads reflectively and skips when absent.
     */
    static final Set<String> DROPPED = Set.of("java.desktop");

    private final String java;

    RuntimeLinker(String java) {
        this.java = java;
    }

    /** The modules the runtime gets: what jdeps finds in {@code jars}, plus {@link #ADDED}, minus {@link #DROPPED}. */
    Set<String> modulesFor(List<Path> jars) throws IOException, InterruptedException {
        List<String> arguments = new ArrayList<>(List.of("--print-module-deps", "--ignore-missing-deps",
                "--multi-release", Integer.toString(Runtime.version().feature())));
        jars.stream().filter(RuntimeLinker::analysable).forEach(jar -> arguments.add(jar.toString()));
        String output = ExternalTool.besideJava(java, "jdeps").run(arguments);
        Set<String> modules = parseModuleList(output);
        modules.addAll(ADDED);
        modules.removeAll(DROPPED);
        return modules;
    }

    /** jdeps prints warnings first and the comma-separated module list as its last line. */
    static Set<String> parseModuleList(String jdepsOutput) {
        List<String> lines = jdepsOutput.strip().lines().toList();
        String last = lines.isEmpty() ? "" : lines.getLast().strip();
        if (!last.matches("[a-z][a-z0-9.]*(,[a-z][a-z0-9.]*)*")) {
            throw new IllegalStateException("unexpected jdeps output: " + last);
        }
        return new TreeSet<>(List.of(last.split(",")));
    }

    /** Writes the runtime to {@code output}, which must not exist yet. */
    void link(Set<String> modules, Path output) throws IOException, InterruptedException {
        ExternalTool.besideJava(java, "jlink").run(List.of(
                "--add-modules", String.join(",", modules),
                // Debug attributes, headers and man pages are for developers; a bundle only runs.
                "--strip-debug", "--no-header-files", "--no-man-pages",
                "--compress", "zip-6",
                "--output", output.toString()));
    }
}
