package amalgam.engine.io;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What to tell a user about a path that cannot be opened: "does not exist" is wrong for a symbolic link that
 * loops or points nowhere, and sends them looking for the wrong mistake.
 */
public final class MissingPath {

    private MissingPath() {}

    /** Why {@code path} (expected to be a {@code kind}, e.g. "adapter directory") is not there, in a few words. */
    public static String describe(Path path, String kind) {
        try {
            path.toRealPath();
        } catch (FileSystemException e) {
            String reason = e.getReason() == null ? "" : e.getReason();
            if (reason.contains("symbolic links")) return "is a symbolic link loop (or goes through one)";
        } catch (IOException e) {
            // Fall through to the plain answers below.
        }
        if (Files.isSymbolicLink(path)) {
            try {
                return "is a symbolic link to " + Files.readSymbolicLink(path) + ", which does not exist";
            } catch (IOException e) {
                return "is a symbolic link that cannot be followed";
            }
        }
        return "no such " + kind;
    }
}
