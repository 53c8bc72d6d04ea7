package amalgam.merge.pipeline;

import amalgam.engine.InputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a file, read in a stream (adapters can be larger than the heap), as lower-case hex. */
final class FileDigest {

    private static final int CHUNK = 1 << 20;

    private FileDigest() {}

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] chunk = new byte[CHUNK];
            for (int n; (n = in.read(chunk)) > 0; ) digest.update(chunk, 0, n);
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new InputException(file.toString(), "cannot read: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
