package amalgam.merge.pipeline;

import amalgam.engine.InputException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * SHA-256 of files as lower-case hex, what {@code sha256sum} prints. Files are mapped window by window rather
 * than copied through a buffer (adapters can be far larger than the heap), and several are hashed in parallel:
 * hashing runs at about 1.5 GB/s a core, so it is the one cost of a merge that grows with whole files.
 */
final class FileDigest {

    private static final long WINDOW = 256L << 20;

    private FileDigest() {}

    /** The hashes of {@code files}, in order. */
    static List<String> sha256(List<Path> files) {
        return files.parallelStream().map(FileDigest::sha256).toList();
    }

    static String sha256(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long size = channel.size();
            for (long at = 0; at < size; at += WINDOW) {
                digest.update(channel.map(FileChannel.MapMode.READ_ONLY, at, Math.min(WINDOW, size - at)));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new InputException(file.toString(), "cannot read: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
