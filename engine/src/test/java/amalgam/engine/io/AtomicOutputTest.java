package amalgam.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicOutputTest {

    @TempDir
    Path dir;

    private List<String> entries() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void committedOutputHasTheModeOfAnyNewDirectory() throws IOException {
        // Not owner-only like a temp directory: a merged adapter is often shared with other users.
        Path plain = Files.createDirectory(dir.resolve("plain"));
        Path target = dir.resolve("out");
        try (AtomicOutput out = AtomicOutput.begin(target, false)) {
            out.commit();
        }
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(target));
    }

    @Test
    void commitMovesTheFinishedDirectoryIntoPlace() throws IOException {
        Path target = dir.resolve("out");
        try (AtomicOutput out = AtomicOutput.begin(target, false)) {
            Files.writeString(out.directory().resolve("a.txt"), "hello");
            assertFalse(Files.exists(target), "nothing visible before the commit");
            out.commit();
        }
        assertEquals("hello", Files.readString(target.resolve("a.txt")));
        assertEquals(List.of("out"), entries(), "no temporary directory left behind");
    }

    @Test
    void failureBeforeCommitLeavesNothing() throws IOException {
        Path target = dir.resolve("out");
        assertThrows(IllegalStateException.class, () -> {
            try (AtomicOutput out = AtomicOutput.begin(target, false)) {
                Files.createDirectories(out.directory().resolve("nested/deeper"));
                Files.writeString(out.directory().resolve("nested/deeper/half.bin"), "partial");
                throw new IllegalStateException("merge failed half way");
            }
        });
        assertEquals(List.of(), entries());
    }

    @Test
    void refusesAnExistingOutputWithoutForceBeforeAnyWork() throws IOException {
        Path target = Files.createDirectory(dir.resolve("out"));
        Files.writeString(target.resolve("keep.txt"), "precious");
        InputException e = assertThrows(InputException.class, () -> AtomicOutput.begin(target, false));
        assertTrue(e.getMessage().startsWith(target + ": already exists"), e.getMessage());
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertEquals("precious", Files.readString(target.resolve("keep.txt")));
        assertEquals(List.of("out"), entries());
    }

    @Test
    void refusesAnExistingPlainFileToo() throws IOException {
        Path target = Files.writeString(dir.resolve("out"), "a file");
        assertThrows(InputException.class, () -> AtomicOutput.begin(target, false));
        assertEquals("a file", Files.readString(target));
    }

    @Test
    void refusesATargetThatAppearsWhileWriting() throws IOException {
        Path target = dir.resolve("out");
        try (AtomicOutput out = AtomicOutput.begin(target, false)) {
            Files.writeString(out.directory().resolve("new.txt"), "new");
            Files.createDirectory(target);
            Files.writeString(target.resolve("theirs.txt"), "theirs");
            assertThrows(InputException.class, out::commit);
        }
        assertEquals("theirs", Files.readString(target.resolve("theirs.txt")));
        assertFalse(Files.exists(target.resolve("new.txt")));
        assertEquals(List.of("out"), entries());
    }

    @Test
    void forceReplacesTheOldOutputCompletely() throws IOException {
        Path target = Files.createDirectory(dir.resolve("out"));
        Files.writeString(target.resolve("old.txt"), "old");
        try (AtomicOutput out = AtomicOutput.begin(target, true)) {
            Files.writeString(out.directory().resolve("new.txt"), "new");
            assertTrue(Files.exists(target.resolve("old.txt")), "old output intact until the commit");
            out.commit();
        }
        assertEquals("new", Files.readString(target.resolve("new.txt")));
        assertFalse(Files.exists(target.resolve("old.txt")));
        assertEquals(List.of("out"), entries(), "old output and temporaries deleted");
    }

    @Test
    void forcedRunThatFailsLeavesTheOldOutputUntouched() throws IOException {
        Path target = Files.createDirectory(dir.resolve("out"));
        Files.writeString(target.resolve("old.txt"), "old");
        assertThrows(IllegalStateException.class, () -> {
            try (AtomicOutput out = AtomicOutput.begin(target, true)) {
                Files.writeString(out.directory().resolve("new.txt"), "half");
                throw new IllegalStateException("failed");
            }
        });
        assertEquals("old", Files.readString(target.resolve("old.txt")));
        assertFalse(Files.exists(target.resolve("new.txt")));
        assertEquals(List.of("out"), entries());
    }

    @Test
    void forcedCommitWhoseRenameFailsPutsTheOldOutputBack() throws IOException {
        Path target = Files.createDirectory(dir.resolve("out"));
        Files.writeString(target.resolve("old.txt"), "old");
        try (AtomicOutput out = AtomicOutput.begin(target, true)) {
            // Pull the staging directory away so that renaming it into place fails after the old one moved aside.
            AtomicOutput.deleteRecursively(out.directory());
            assertThrows(IOException.class, out::commit);
        }
        assertEquals("old", Files.readString(target.resolve("old.txt")));
        assertEquals(List.of("out"), entries(), "old output restored, holder directory removed");
    }

    @Test
    void missingParentDirectoryIsReportedPlainly() {
        Path target = dir.resolve("no/such/parent/out");
        InputException e = assertThrows(InputException.class, () -> AtomicOutput.begin(target, false));
        assertTrue(e.getMessage().contains("parent directory"), e.getMessage());
    }

    @Test
    void commitTwiceIsABug() throws IOException {
        try (AtomicOutput out = AtomicOutput.begin(dir.resolve("out"), false)) {
            out.commit();
            assertThrows(IllegalStateException.class, out::commit);
        }
    }

    @Test
    void aTargetNameNearTheFileSystemLimitStillGetsItsHiddenSibling() throws IOException {
        Path target = dir.resolve("m".repeat(250));
        try (AtomicOutput out = AtomicOutput.begin(target, false)) {
            Files.writeString(out.directory().resolve("f"), "x");
            out.commit();
        }
        assertEquals("x", Files.readString(target.resolve("f")));
        try (AtomicOutput out = AtomicOutput.begin(target, true)) {
            out.commit();
        }
        assertEquals(List.of(target.getFileName().toString()), entries());
    }

    @Test
    void stagingsOfDeadRunsAreRemovedOthersKept() throws IOException, InterruptedException {
        Path target = dir.resolve("merged");
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        Path dead = Files.createDirectory(dir.resolve(".merged.tmp-dead"));
        Files.writeString(dead.resolve(AtomicOutput.OWNER_FILE), Long.toString(finished.pid()));
        Files.writeString(dead.resolve("adapter_model.safetensors"), "half written");
        Path alive = Files.createDirectory(dir.resolve(".merged.tmp-alive"));
        Files.writeString(alive.resolve(AtomicOutput.OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
        Path notOurs = Files.createDirectory(dir.resolve(".merged.tmp-someone-elses"));
        try (AtomicOutput out = AtomicOutput.begin(target, false)) {
            out.commit();
        }
        assertFalse(Files.exists(dead), "the dead run's staging is removed");
        assertTrue(Files.exists(alive) && Files.exists(notOurs), "a live run's and a foreign directory stay");
        assertFalse(Files.exists(target.resolve(AtomicOutput.OWNER_FILE)), "the owner mark is not part of the output");
    }
}
