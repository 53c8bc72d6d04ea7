package amalgam.merge.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

/**
 * The GPU evidence scripts (bench/gpu: evidence.sh and the PyTorch peers it runs) copied into a bundle, so the
 * one archive a GPU session carries holds the command that produces its figures: BUNDLE/evidence/evidence.sh.
 */
final class EvidenceScripts {

    static final String SOURCE = "bench/gpu";

    private EvidenceScripts() {}

    /** Copies the scripts (not their tests) from the source tree {@code home} to {@code target}; returns their names. */
    static List<String> copy(Path home, Path target) throws IOException {
        Path source = home.resolve(SOURCE);
        if (!Files.isDirectory(source)) throw new IOException(source + " is missing: the GPU evidence script lives there");
        Files.createDirectories(target);
        List<Path> scripts;
        try (Stream<Path> files = Files.list(source)) {
            scripts = files.filter(EvidenceScripts::isScript).sorted().toList();
        }
        for (Path script : scripts) {
            Path copy = target.resolve(script.getFileName().toString());
            Files.copy(script, copy);
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString(
                    copy.toString().endsWith(".sh") ? "rwxr-xr-x" : "rw-r--r--"));
        }
        return scripts.stream().map(p -> p.getFileName().toString()).toList();
    }

    private static boolean isScript(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file) && (name.endsWith(".sh") || name.endsWith(".py")) && !name.endsWith("_test.py");
    }
}
