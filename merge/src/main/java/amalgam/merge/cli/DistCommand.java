package amalgam.merge.cli;

import amalgam.engine.InputException;
import amalgam.engine.io.AtomicOutput;
import amalgam.kernels.ffm.NativeVariant;
import amalgam.merge.pipeline.ToolVersion;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code amalgam dist}: writes a self-contained bundle — a jlink'd Java runtime, our jars and their dependencies
 * (Linux x86-64 natives only), the PTX and SASS and the C library's x86-64-v3 and -v4 builds inside the kernels
 * jar, the JMH benchmarks, the GPU evidence script and a POSIX sh launcher — for machines with no JDK and no
 * Maven, such as the GPU machines. It is built from a source tree's Maven build.
 */
@Command(name = "dist", mixinStandardHelpOptions = true,
        description = {
                "Write a self-contained bundle that runs where there is no JDK and no Maven:",
                "  DIR/bin/amalgam  launcher",
                "  DIR/runtime      trimmed Java runtime",
                "  DIR/lib          jars, PTX and sm_90 SASS, JMH",
                "  DIR/evidence     GPU evidence script (evidence.sh), PyTorch peers",
                "  DIR/peers        the CPU benchmarks' PyTorch peers (amalgam bench --peers)",
                "Run from a source tree (./amalgam dist --out DIR); the bundle may not exceed 64 MiB.",
                "",
                "Example:",
                "  ./amalgam dist --out /tmp/amalgam && /tmp/amalgam/bin/amalgam selfcheck",
                ""})
public final class DistCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write the bundle to.")
    Path out;

    @Option(names = "--force", description = "Replace DIR if it exists.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Path home = Installation.home();
        if (!Installation.isSourceTree(home)) {
            throw new InputException(home.toString(), "amalgam dist runs only from a source tree with its Maven build "
                    + "(./amalgam dist in a checkout); " + (Installation.isBundle(home)
                    ? "this is already a bundle: copy the directory instead" : "no pom.xml here"));
        }
        // An existing DIR is refused before any work; a failure later leaves neither DIR nor its staging sibling.
        try (AtomicOutput output = AtomicOutput.begin(out, force)) {
            BundleParts parts = BundleParts.collect(home);
            List<String> ptx = parts.ptxModules();
            List<String> nativeLibraries = parts.nativeLibraries();
            RuntimeLinker linker = new RuntimeLinker(Installation.javaExecutable());
            Path staging = output.directory();
            System.err.println("amalgam dist: finding the JDK modules our jars use (jdeps)…");
            Set<String> modules = linker.modulesFor(parts.jars());
            System.err.println("amalgam dist: linking the Java runtime (jlink, about 20 s)…");
            linker.link(modules, staging.resolve(BundleLayout.RUNTIME));
            copyJars(parts, staging.resolve(BundleLayout.LIB));
            writeLauncher(staging.resolve(BundleLayout.LAUNCHER));
            EvidenceScripts.copy(home, staging.resolve(BundleLayout.EVIDENCE));
            EvidenceScripts.copy(home, EvidenceScripts.PEERS, staging.resolve(BundleLayout.PEERS));
            // The bundle has no .git: its launcher reads the commit it was built from here.
            Files.writeString(staging.resolve(BundleLayout.COMMIT), ToolVersion.commit() + "\n");
            long bytes = sizeOf(staging);
            if (bytes > BundleLayout.MAX_BYTES) {
                throw new IOException(String.format("the bundle would be %.1f MiB, over the limit of %d MiB",
                        mebibytes(bytes), BundleLayout.MAX_BYTES >> 20));
            }
            output.commit();
            printSummary(output.target(), bytes, modules, parts, ptx, nativeLibraries);
        }
        return 0;
    }

    private static void copyJars(BundleParts parts, Path lib) throws IOException {
        Files.createDirectories(lib);
        for (Path jar : parts.jars()) {
            String name = jar.getFileName().toString();
            // Stable names for the jars the launcher and Installation look up by name.
            if (name.startsWith("amalgam-bench")) name = BundleLayout.BENCH_JAR;
            Path target = lib.resolve(name);
            if (JCudaNatives.isNativesJar(jar)) {
                JCudaNatives.copyTrimmed(jar, target);
            } else {
                Files.copy(jar, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static void writeLauncher(Path launcher) throws IOException {
        Files.createDirectories(launcher.getParent());
        try (InputStream script = DistCommand.class.getResourceAsStream("/amalgam/dist/amalgam.sh")) {
            if (script == null) throw new IOException("the launcher template amalgam/dist/amalgam.sh is not on the class path");
            Files.copy(script, launcher);
        }
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static long sizeOf(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            long total = 0;
            for (Path file : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) total += Files.size(file);
            }
            return total;
        }
    }

    private static double mebibytes(long bytes) {
        return bytes / (double) (1L << 20);
    }

    private static void printSummary(Path target, long bytes, Set<String> modules, BundleParts parts, List<String> ptx,
                                     List<String> nativeLibraries) {
        System.out.printf("amalgam dist: wrote %s (%.1f MiB of at most %d MiB)%n", target, mebibytes(bytes),
                BundleLayout.MAX_BYTES >> 20);
        System.out.printf("  runtime: Java %s, modules %s%n", Runtime.version(), String.join(", ", modules));
        System.out.printf("  lib: %d jars%n", parts.jars().size());
        if (ptx.isEmpty()) {
            System.out.println("  WARNING: no PTX in the kernels jar (nvcc was not on the PATH when it was built):"
                    + " the cuda backend of this bundle will report itself unavailable");
        } else {
            System.out.printf("  ptx: %s%n", String.join(", ", ptx));
        }
        if (nativeLibraries.size() < NativeVariant.values().length) {
            System.out.println("  WARNING: the kernels jar holds " + (nativeLibraries.isEmpty() ? "no C library"
                    : "only " + String.join(", ", nativeLibraries)) + " (gcc was absent or the build is stale):"
                    + " the native backend of this bundle will be unavailable on some or all CPUs");
        } else {
            System.out.printf("  native: %s (the best one the CPU supports is loaded)%n",
                    String.join(", ", nativeLibraries));
        }
        System.out.printf("  run: %s --help%n", target.resolve(BundleLayout.LAUNCHER));
    }
}
