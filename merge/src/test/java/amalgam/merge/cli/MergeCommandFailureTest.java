package amalgam.merge.cli;

import static amalgam.merge.cli.MergeRuns.Q;
import static amalgam.merge.cli.MergeRuns.V;
import static amalgam.merge.cli.MergeRuns.adapter;
import static amalgam.merge.cli.MergeRuns.assertNoLeftovers;
import static amalgam.merge.cli.MergeRuns.assertNoOutput;
import static amalgam.merge.cli.MergeRuns.merge;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.kernels.FloatSegments;
import amalgam.merge.adapter.AdapterConfig;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.adapter.TestAdapters;
import amalgam.engine.io.FileDType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ways a merge must fail cleanly (issue 7): exit code 2, one stderr line naming the file, tensor or option at
 * fault, and no output — neither a new directory nor a temporary sibling, and an existing output untouched.
 */
class MergeCommandFailureTest {

    @TempDir
    Path dir;
    private Path first;
    private Path second;
    private Path out;

    @BeforeEach
    void writeAdapters() throws IOException {
        first = adapter(dir.resolve("first"), 1, 2, 4, FileDType.F32);
        second = adapter(dir.resolve("second"), 2, 2, 2, FileDType.F32);
        Files.createDirectories(dir.resolve("outputs"));
        out = dir.resolve("outputs/merged");
    }

    private MergeRuns.Run mergeBoth(String... options) {
        return merge(out, List.of(first, second), options);
    }

    // ---- inputs -----------------------------------------------------------------------------------------

    @Test
    void missingInputPath() throws IOException {
        Path missing = dir.resolve("nowhere");
        merge(out, List.of(first, missing), "--method", "linear").assertBadInput(missing.toString(), "no such");
        assertNoOutput(out);
    }

    @Test
    void symbolicLinkLoopsAndDanglingLinksAreCalledWhatTheyAre() throws IOException {
        Path loop = dir.resolve("loop");
        Files.createSymbolicLink(loop, loop);
        merge(out, List.of(first, loop), "--method", "linear").assertBadInput(loop.toString(), "symbolic link loop");
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("gone"));
        merge(out, List.of(first, dangling), "--method", "linear")
                .assertBadInput(dangling.toString(), "symbolic link to", "which does not exist");
        assertNoOutput(out);
    }

    @Test
    void unreadableWeightsFile() throws IOException {
        // A directory where the weights file should be: unreadable as a file even for root.
        Path broken = dir.resolve("broken");
        Files.createDirectories(broken.resolve(LoraAdapter.WEIGHTS_FILE));
        Files.copy(first.resolve(AdapterConfig.FILE_NAME), broken.resolve(AdapterConfig.FILE_NAME));
        merge(out, List.of(first, broken), "--method", "linear")
                .assertBadInput(broken.resolve(LoraAdapter.WEIGHTS_FILE).toString());
        assertNoOutput(out);
    }

    @Test
    void unreadableDirectory() throws IOException {
        Path locked = adapter(dir.resolve("locked"), 3, 2, 2, FileDType.F32);
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            Assumptions.assumeFalse(Files.isReadable(locked), "running as root: permissions do not apply");
            merge(out, List.of(first, locked), "--method", "linear")
                    .assertBadInput(locked.toString(), "permission denied");
            assertNoOutput(out);
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void adaptersWithDifferentModuleSets() throws IOException {
        Path onlyQ;
        try (Arena arena = Arena.ofConfined()) {
            onlyQ = new TestAdapters(arena, 4).linear(Q, 2, 6, 5).embedding(MergeRuns.EMBED, 2, 7, 3)
                    .write(dir.resolve("only-q"), TestAdapters.config(2, 2), FileDType.F32);
        }
        merge(out, List.of(first, onlyQ), "--method", "linear").assertBadInput(onlyQ.toString(), "'" + V + "'");
        assertNoOutput(out);
    }

    @Test
    void shapeMismatchNamesBothAdapters() throws IOException {
        Path wide;
        try (Arena arena = Arena.ofConfined()) {
            wide = new TestAdapters(arena, 5).linear(Q, 2, 8, 5).linear(V, 2, 6, 4)
                    .embedding(MergeRuns.EMBED, 2, 7, 3).write(dir.resolve("wide"), TestAdapters.config(2, 2), FileDType.F32);
        }
        merge(out, List.of(first, wide), "--method", "linear")
                .assertBadInput(wide.toString(), first.toString(), "'" + Q + "'");
        assertNoOutput(out);
    }

    @Test
    void rankMismatchRefusedInFactorSpaceOnly() throws IOException {
        Path rank3 = adapter(dir.resolve("rank3"), 6, 3, 3, FileDType.F32);
        merge(out, List.of(first, rank3), "--method", "ties", "--space", "factors")
                .assertBadInput(rank3.toString(), "rank 3", "--space factors");
        assertNoOutput(out);
        MergeRuns.Run delta = merge(out, List.of(first, rank3), "--method", "ties");
        assertEquals(0, delta.exitCode(), delta.err());
    }

    @Test
    void nonFiniteWeightsRefusedNamingTheTensorUnlessAllowed() throws IOException {
        Path poisoned = poisoned("nan", Q);
        String tensor = "'" + LoraModule.KEY_PREFIX + Q + ".lora_B.weight'";
        merge(out, List.of(first, poisoned), "--method", "cat")
                .assertBadInput(poisoned.resolve(LoraAdapter.WEIGHTS_FILE) + ": tensor " + tensor, "NaN",
                        "--allow-nonfinite");
        assertNoOutput(out);

        MergeRuns.Run allowed = merge(out, List.of(first, poisoned), "--method", "cat", "--allow-nonfinite");
        assertEquals(0, allowed.exitCode(), allowed.err());
        try (Arena arena = Arena.ofConfined(); LoraAdapter merged = LoraAdapter.open(out, true)) {
            LoraModule q = merged.module(Q).orElseThrow();
            float[] b = FloatSegments.toArray(merged.loadB(q, arena), 0, (int) (q.outFeatures() * q.rank()));
            // cat puts the second adapter's rank slices after the first's: its B[0][0] is the merged B[0][2].
            assertTrue(Float.isNaN(b[2]), "the NaN travels through cat");
        }
    }

    /** The second adapter with a NaN in B[0][0] of {@code module}. */
    private Path poisoned(String name, String module) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            TestAdapters t = new TestAdapters(arena, 2).linear(Q, 2, 6, 5).linear(V, 2, 6, 4)
                    .embedding(MergeRuns.EMBED, 2, 7, 3);
            FloatSegments.set(t.tensors().get(LoraModule.KEY_PREFIX + module + ".lora_B.weight").data(), 0, Float.NaN);
            return t.write(dir.resolve(name), TestAdapters.config(2, 2), FileDType.F32);
        }
    }

    // ---- outputs ----------------------------------------------------------------------------------------

    @Test
    void existingOutputRefusedWithoutForceAndLeftUnchanged() throws IOException {
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "precious");
        mergeBoth("--method", "linear").assertBadInput(out.toString(), "--force");
        assertEquals(List.of(out.resolve("keep.txt")), Files.list(out).toList());
        assertEquals("precious", Files.readString(out.resolve("keep.txt")));
        assertNoLeftovers(out);
    }

    @Test
    void forceReplacesAnExistingOutput() throws IOException {
        Files.createDirectories(out);
        Files.writeString(out.resolve("old.txt"), "old");
        MergeRuns.Run run = mergeBoth("--method", "linear", "--force");
        assertEquals(0, run.exitCode(), run.err());
        assertFalse(Files.exists(out.resolve("old.txt")));
        try (LoraAdapter merged = LoraAdapter.open(out)) {
            assertEquals(3, merged.modules().size());
        }
        assertNoLeftovers(out);
    }

    @Test
    void failureMidMergeLeavesNoPartialOutputAndTheOldOneIntact() throws IOException {
        // Modules merge in name order; v_proj, the last, holds the NaN, so two modules are written before it fails.
        Path poisoned = poisoned("late-nan", V);
        merge(out, List.of(first, poisoned), "--method", "ties").assertBadInput("'" + LoraModule.KEY_PREFIX + V);
        assertNoOutput(out);

        Files.createDirectories(out);
        Files.writeString(out.resolve("old.txt"), "old");
        merge(out, List.of(first, poisoned), "--method", "ties", "--force").assertBadInput("NaN");
        assertEquals(List.of(out.resolve("old.txt")), Files.list(out).toList());
        assertEquals("old", Files.readString(out.resolve("old.txt")));
        assertNoLeftovers(out);
    }

    @Test
    void outputThatIsAnInputIsRefused() throws IOException {
        merge(second, List.of(first, second), "--method", "linear", "--force")
                .assertBadInput(second.toString(), "input adapter");
        try (LoraAdapter untouched = LoraAdapter.open(second)) {
            assertEquals(2, untouched.config().r());
        }
        merge(dir, List.of(first, second), "--method", "linear", "--force").assertBadInput("input adapter");
    }

    @Test
    void outputInsideAnInputIsRefusedAndTheInputKept() throws IOException {
        Path weights = second.resolve(LoraAdapter.WEIGHTS_FILE);
        byte[] before = Files.readAllBytes(weights);
        merge(weights, List.of(first, second), "--method", "linear", "--force")
                .assertBadInput(weights.toString(), "inside the input adapter");
        merge(second.resolve("sub/merged"), List.of(first, second), "--method", "linear")
                .assertBadInput("inside the input adapter");
        assertTrue(Files.isRegularFile(weights));
        assertArrayEquals(before, Files.readAllBytes(weights));
        assertFalse(Files.exists(second.resolve("sub")));
    }

    @Test
    void scalingsBeyondFp32AreRefusedNotZeroed() throws IOException {
        Path huge = adapter(dir.resolve("huge"), 3, 2, 1e300, FileDType.F32);
        merge(out, List.of(first, huge), "--method", "svd").assertBadInput(huge.toString(), "beyond fp32's range");
        assertNoOutput(out);
        merge(out, List.of(first, second), "--method", "svd", "--weights", "1e300,1e300")
                .assertBadInput(first.toString(), "--weights");
        assertNoOutput(out);
        // Mergekit's λ is folded into the weights of a linear merge: it wrote factors 1e270 times too small.
        merge(out, List.of(first, second), "--method", "linear", "--semantics", "mergekit", "--lambda", "1e300")
                .assertBadInput(first.toString(), "--lambda");
        assertNoOutput(out);
    }

    @Test
    void mergedFactorsBeyondTheOutputDtypeAreRefused() throws IOException {
        Path big = adapter(dir.resolve("big"), 4, 2, 2e6, FileDType.F32);
        merge(out, List.of(big, big), "--method", "cat", "--dtype", "f16")
                .assertBadInput("beyond f16's range", "--dtype bf16 or f32");
        assertNoOutput(out);
        assertEquals(0, merge(out, List.of(big, big), "--method", "cat", "--dtype", "bf16").exitCode());
    }

    @Test
    void rankBeyondTheModuleShapeIsCappedWithAWarning() throws IOException {
        MergeRuns.Run run = mergeBoth("--method", "ties", "--density", "0.5", "--rank", "1000000000");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("amalgam: warning: the output rank is capped at min(out, in)"), run.err());
        try (LoraAdapter merged = LoraAdapter.open(out)) {
            for (LoraModule m : merged.modules()) {
                assertEquals(Math.min(m.outFeatures(), m.inFeatures()), m.rank(), m.name());
            }
        }
    }

    // ---- options ------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--method frobnicate                          | --method  | linear, cat, svd, ties",
            "--method cat_svd                             | --method  | unknown merge method 'cat_svd'",
            "--method linear --weights 1,2,3              | --weights | 3 weights for 2 adapters",
            "--method linear --weights 1,NaN              | --weights | NaN",
            "--method ties --density 1.5                  | --density | [0, 1]",
            "--method ties --density NaN                  | --density | NaN",
            "--method ties --density -0.1                 | --density | -0.1",
            "--method linear --density 0.5                | --density | does not apply to linear",
            "--method svd --rank 0                        | --rank    | at least 1",
            "--method svd --threads 100000                | --threads | at most",
            "--method lego --clusters 0                   | --clusters | at least 1",
            "--method lego --clusters 5                   | --clusters | only 4 rank slices",
            "--method svd --svd-clamp 0                   | --svd-clamp | (0, 1]",
            "--method svd --svd-clamp 1.5                 | --svd-clamp | (0, 1]",
            "--method cat --space factors                 | --space   | does not apply to cat",
            "--method lego --space factors                | --space   | does not apply to lego",
            "--method ties_svd --space factors            | --space   | delta-space form of ties",
            "--method linear --space factors --rank 2     | --rank    | factor space",
            "--method cat --rank 2                        | --rank    | does not apply to cat",
            "--method ties --lambda 2                     | --lambda  | --semantics mergekit",
            "--method linear --majority-sign total        | --majority-sign | does not apply to linear",
            "--method ties --majority-sign most           | --majority-sign | total, frequency",
            "--method ties --semantics torch              | --semantics | peft, mergekit",
            "--method linear --space diagonal             | --space   | delta, factors",
            "--method linear --clusters 2                 | --clusters | does not apply to linear",
            "--method lego --lego-norm l1                 | --lego-norm | l2, linf",
            "--method linear --dtype f64                  | --dtype   | f32, f16 or bf16",
            "--method linear --threads 0                  | --threads | at least 1",
            "--method linear --backend gpu                | --backend | scalar, cpu, native, cuda",
    })
    void badOptionsAreOneLineNamingTheOption(String options, String option, String detail) throws IOException {
        mergeBoth(options.trim().split(" +")).assertBadInput("amalgam: error: " + option.trim() + ": ", detail.trim());
        assertNoOutput(out);
    }
}
