package amalgam.engine;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The committed fixtures made by the real libraries (transformers, PEFT, tokenizers) under the repository's
 * {@code fixtures/} folder; {@code fixtures/generate/} holds the scripts that made them. Tests run from a
 * module's folder, so the repository root is its parent.
 */
public final class TestFixtures {

    private TestFixtures() {}

    public static Path path(String first, String... more) {
        Path root = Path.of(System.getProperty("amalgam.fixtures", "../fixtures")).toAbsolutePath().normalize();
        Path p = root.resolve(Path.of(first, more));
        if (!Files.exists(p)) throw new AssertionError("missing fixture " + p + " (made by fixtures/generate/)");
        return p;
    }
}
