package amalgam.merge.textstudy;

import amalgam.engine.InputException;
import amalgam.merge.adaptive.TokenBuffer.Sequence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The study's corpus: licence texts as Debian's base-files package ships them in /usr/share/common-licenses
 * (present on every Debian system: base-files is essential), as bytes. Each text is split once: the first 80 %
 * trains, the rest is held out. A byte is a token (vocabulary 256), so no tokenizer is involved.
 */
public record LicenceTexts(String name, byte[] train, byte[] test) {

    /** base-files' folder of licence texts. */
    public static final Path DEBIAN = Path.of("/usr/share/common-licenses");

    /** Reads {@code name} from {@code directory}; a missing file names itself and the package that ships it. */
    public static LicenceTexts read(Path directory, String name) {
        Path file = directory.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new InputException(file.toString(), "not found: the text study reads the licence texts of Debian's "
                    + "base-files package (/usr/share/common-licenses); pass --corpus DIR holding " + name);
        }
        try {
            byte[] all = Files.readAllBytes(file);
            int cut = (int) (all.length * 0.8);
            return new LicenceTexts(name, java.util.Arrays.copyOfRange(all, 0, cut),
                    java.util.Arrays.copyOfRange(all, cut, all.length));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** {@code count} windows of {@code length} bytes at random places of the training split. */
    public List<Sequence> trainingWindows(int count, int length, Random random) {
        List<Sequence> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(window(train, random.nextInt(train.length - length + 1), length));
        return out;
    }

    /** The held-out split as consecutive windows of {@code length} bytes (the tail shorter than that is dropped). */
    public List<Sequence> testWindows(int length) {
        List<Sequence> out = new ArrayList<>();
        for (int start = 0; start + length <= test.length; start += length) out.add(window(test, start, length));
        return out;
    }

    private static Sequence window(byte[] text, int start, int length) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) ids[i] = text[start + i] & 0xff;
        return Sequence.allTokens(ids);
    }
}
