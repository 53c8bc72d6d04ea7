package amalgam.engine.io;

import amalgam.engine.InputException;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;

/**
 * An output directory that appears complete or not at all. Files are written into a hidden temporary sibling
 * ({@link #directory()}), which {@link #commit()} renames into place; closing without a commit deletes it. Being a
 * sibling keeps the rename on one file system, where it is atomic.
 *
 * <p>An existing output is refused unless {@code force} is given; then it is renamed aside, the new one renamed
 * in, and only then the old one deleted — if the second rename fails, the old output is put back. A crash of the
 * JVM itself can leave a hidden {@code .NAME.tmp-*} directory next to the output, never a damaged output; the next
 * run that writes the same output deletes it once the process that made it is gone.
 *
 * <pre>{@code
 * try (AtomicOutput out = AtomicOutput.begin(target, force)) {
 *     write files into out.directory();
 *     out.commit();
 * }
 * }</pre>
 */
public final class AtomicOutput implements AutoCloseable {

    private static final SecureRandom STAGING_NAMES = new SecureRandom();

    private final Path target;
    private final boolean force;
    private final Path staging;
    private boolean committed;

    private AtomicOutput(Path target, boolean force, Path staging) {
        this.target = target;
        this.force = force;
        this.staging = staging;
    }

    /** Starts writing {@code target}; refuses an existing target without {@code force} before any work is done. */
    public static AtomicOutput begin(Path target, boolean force) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        if (parent == null || absolute.getFileName() == null) {
            throw new InputException(target.toString(), "cannot write the output to a file system root");
        }
        refuseExisting(target, absolute, force);
        if (!Files.isDirectory(parent)) {
            throw new InputException(target.toString(), "parent directory " + parent + " does not exist");
        }
        String prefix = siblingPrefix(absolute, ".tmp-");
        removeDeadStagings(parent, prefix);
        Path staging;
        try {
            staging = createStaging(parent, prefix);
            Files.writeString(staging.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
        } catch (java.nio.file.AccessDeniedException e) {
            throw new InputException(target.toString(), "permission denied creating the output next to it", e);
        } catch (java.nio.file.FileSystemException e) {
            throw new InputException(target.toString(), "cannot create the output next to it: "
                    + (e.getReason() != null ? e.getReason() : e.getMessage()), e);
        }
        return new AtomicOutput(absolute, force, staging);
    }

    /**
     * Marks a staging directory as ours and names the process writing it, so that a later run can tell a staging
     * left by a killed run (its process gone) from one that another run is still writing. Removed at commit.
     */
    static final String OWNER_FILE = ".amalgam-staging-owner";
    /** File names are at most 255 bytes; the hidden sibling adds a dot, a suffix and 13 random characters. */
    private static final int MAX_NAME_BYTES_IN_SIBLING = 200;

    /**
     * "." + the target's name + {@code suffix}, the name shortened (to a prefix and a hash of the whole) when the
     * sibling's name would pass the file system's 255-byte limit.
     */
    static String siblingPrefix(Path absolute, String suffix) {
        String name = absolute.getFileName().toString();
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES_IN_SIBLING) {
            String head = name.substring(0, Math.min(name.length(), 60));
            while (head.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 180) {
                head = head.substring(0, head.length() - 1);
            }
            name = head + "~" + Integer.toUnsignedString(name.hashCode(), 36);
        }
        return "." + name + suffix;
    }

    /** Deletes stagings of this target that a run killed mid-write left behind: only ours, only if dead. */
    private static void removeDeadStagings(Path parent, String prefix) {
        try (var siblings = Files.newDirectoryStream(parent, p -> p.getFileName().toString().startsWith(prefix))) {
            for (Path sibling : siblings) {
                Path owner = sibling.resolve(OWNER_FILE);
                if (!Files.isDirectory(sibling, LinkOption.NOFOLLOW_LINKS) || !Files.isRegularFile(owner)) continue;
                long pid;
                try {
                    pid = Long.parseLong(Files.readString(owner).trim());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
                deleteRecursively(sibling);
            }
        } catch (IOException e) {
            // Cleaning up after an earlier crash is a courtesy; it must never stop this run.
        }
    }

    /**
     * A new, uniquely named directory. Not {@link Files#createTempDirectory}: that one is owner-only (0700), and
     * the committed output would keep that mode; a plain directory follows the user's umask like any other.
     * Creation is atomic and fails on an existing name, so a guessed name cannot be planted in advance.
     */
    private static Path createStaging(Path parent, String prefix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path candidate = parent.resolve(prefix + Long.toUnsignedString(STAGING_NAMES.nextLong(), 36));
            try {
                return Files.createDirectory(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) throw e;
            }
        }
    }

    private static void refuseExisting(Path shown, Path absolute, boolean force) {
        if (!force && Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            throw new InputException(shown.toString(), "already exists (use --force to replace it)");
        }
    }

    /**
     * A failure to write into {@link #directory()} (a full disk, a file size limit, an I/O error) as the user should
     * see it: naming the output they asked for, not the hidden sibling, with the system's reason.
     */
    public InputException writeFailure(IOException e) {
        String reason = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getMessage();
        return new InputException(target.toString(), "cannot write the output: " + reason
                + " (nothing was written; free space or choose another place)", e);
    }

    /** Where to write the output's files until {@link #commit()}. */
    public Path directory() {
        return staging;
    }

    public Path target() {
        return target;
    }

    /** Moves the finished output into place, replacing an existing one only when forced. */
    public void commit() throws IOException {
        if (committed) throw new IllegalStateException("already committed: " + target);
        refuseExisting(target, target, force);
        Files.deleteIfExists(staging.resolve(OWNER_FILE));
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // Someone created the target between our check and the rename: theirs wins, ours is discarded.
                throw new InputException(target.toString(), "appeared while the output was being written", e);
            }
            committed = true;
        } else {
            replace();
        }
    }

    private void replace() throws IOException {
        Path old = Files.createTempDirectory(target.getParent(), siblingPrefix(target, ".old-"));
        Path aside = old.resolve("previous");
        try {
            Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(old);
            throw e;
        }
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
                Files.delete(old);
            } catch (IOException restore) {
                e.addSuppressed(restore);
            }
            throw e;
        }
        committed = true;
        // The new output is in place; failing to delete the old one is reported but does not undo the commit.
        deleteRecursively(old);
    }

    /** Discards the temporary directory unless the output was committed. */
    @Override
    public void close() throws IOException {
        if (!committed) deleteRecursively(staging);
    }

    /** Deletes a tree without following symbolic links out of it. */
    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) throw e;
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
