package amalgam.merge.cli;

import amalgam.engine.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * The jars a bundle's lib/ receives, collected from a source tree's Maven build: the CLI jar with its runtime
 * dependencies (merge/target), and the thin benchmark jar with JMH (bench/target). Each file name appears once.
 */
record BundleParts(List<Path> jars) {

    /** Collects the parts under {@code home}, failing with what to build when one is missing. */
    static BundleParts collect(Path home) throws IOException {
        Map<String, Path> byName = new LinkedHashMap<>();
        add(byName, require(home.resolve("merge/target/amalgam-merge.jar")));
        addAll(byName, requireDirectory(home.resolve("merge/target/lib")));
        add(byName, require(home.resolve("bench/target").resolve(BundleLayout.BENCH_JAR)));
        addAll(byName, requireDirectory(home.resolve("bench/target/lib")));
        return new BundleParts(List.copyOf(byName.values()));
    }

    /** The names of the PTX modules inside the kernels jar (amalgam/cuda/*.ptx); empty when nvcc was absent. */
    List<String> ptxModules() throws IOException {
        return kernelsJarEntries("amalgam/cuda/", ".ptx");
    }

    /**
     * The builds of the C library inside the kernels jar (one per x86-64 level, e.g. libamalgam-x86-64-v3.so);
     * empty when gcc was absent. The bundle carries them all and loads the best one on whatever CPU runs it.
     */
    List<String> nativeLibraries() throws IOException {
        return kernelsJarEntries("amalgam/native/linux-x86_64/", ".so");
    }

    private List<String> kernelsJarEntries(String directory, String suffix) throws IOException {
        List<String> names = new ArrayList<>();
        for (Path jar : jars) {
            if (!jar.getFileName().toString().startsWith("amalgam-kernels")) continue;
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                zip.stream().map(entry -> entry.getName())
                        .filter(name -> name.startsWith(directory) && name.endsWith(suffix))
                        .map(name -> name.substring(directory.length()))
                        .sorted().forEach(names::add);
            }
        }
        return names;
    }

    private static void add(Map<String, Path> byName, Path jar) {
        byName.putIfAbsent(jar.getFileName().toString(), jar);
    }

    /**
     * The report plots' chart library and what it pulls in. Drawing needs java.desktop (AWT, about 12 MiB), which
     * with these jars would take a bundle past its 64 MiB; a bundle's dil/demo reports are tables only.
     */
    static final List<String> PLOTTING_ONLY = List.of("xchart-", "pdfbox", "fontbox-", "VectorGraphics2D-",
            "graphics2d-", "animated-gif-lib-", "commons-logging-");

    static boolean plottingOnly(Path jar) {
        String name = jar.getFileName().toString();
        return PLOTTING_ONLY.stream().anyMatch(name::startsWith);
    }

    private static void addAll(Map<String, Path> byName, Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            files.filter(file -> file.getFileName().toString().endsWith(".jar") && !plottingOnly(file)).sorted()
                    .forEach(jar -> add(byName, jar));
        }
    }

    private static Path require(Path file) {
        if (!Files.isRegularFile(file)) throw missing(file);
        return file;
    }

    private static Path requireDirectory(Path directory) {
        if (!Files.isDirectory(directory)) throw missing(directory);
        return directory;
    }

    private static InputException missing(Path path) {
        return new InputException(path.toString(),
                "not built yet; run ./amalgam once (it builds) or mvn -DskipTests package, then amalgam dist again");
    }
}
