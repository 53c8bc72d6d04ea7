package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.kernels.FloatSegments;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.adapter.TestAdapters;
import amalgam.engine.io.FileDType;
import amalgam.engine.io.FloatTensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InspectCommandTest {

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cli = AmalgamCommand.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void printsModulesShapesRanksScalingsDtypesAndNorms() throws IOException {
        Path adapter;
        double expectedDeltaNorm;
        try (Arena arena = Arena.ofConfined()) {
            TestAdapters t = new TestAdapters(arena, 11).linear("model.layers.0.q_proj", 2, 3, 4)
                    .embedding("model.embed_tokens", 2, 10, 3);
            // Replace q_proj's factors with a hand-checked pair: A = [[1,0,0],[0,1,0]], B = first two unit rows.
            FloatTensor a = t.tensors().get(LoraModule.KEY_PREFIX + "model.layers.0.q_proj.lora_A.weight");
            FloatTensor b = t.tensors().get(LoraModule.KEY_PREFIX + "model.layers.0.q_proj.lora_B.weight");
            FloatSegments.copyFromArray(new float[] {1, 0, 0, 0, 1, 0}, 0, a.data(), 0, 6);
            FloatSegments.copyFromArray(new float[] {1, 0, 0, 1, 0, 0, 0, 0}, 0, b.data(), 0, 8);
            adapter = t.write(dir.resolve("adapter"), TestAdapters.config(2, 6), FileDType.BF16);
            expectedDeltaNorm = 3 * Math.sqrt(2);  // scaling 6/2 = 3 times the norm of a rank-2 partial identity
        }

        Run run = run("inspect", adapter.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.get(0).contains(adapter.toString()), run.out());
        assertTrue(run.out().contains("base model   tiny/base"), run.out());
        assertTrue(run.out().contains("r=2 lora_alpha=6 use_rslora=false"), run.out());
        assertTrue(run.out().contains("2 modules, 40 parameters, BF16"), run.out());
        String q = lines.stream().filter(l -> l.startsWith("model.layers.0.q_proj")).findFirst().orElseThrow();
        List<String> cells = Arrays.asList(q.trim().split("\\s{2,}"));
        assertEquals(List.of("model.layers.0.q_proj", "linear", "4 x 3", "2", "3", "BF16", "1.4142", "1.4142",
                String.format(Locale.ROOT, "%.5g", expectedDeltaNorm)), cells, q);
        String embed = lines.stream().filter(l -> l.startsWith("model.embed_tokens")).findFirst().orElseThrow();
        assertTrue(embed.contains("embedding") && embed.contains("3 x 10"), embed);
    }

    @Test
    void badInputExitsWithTwoAndOneLineNamingTheFile() throws IOException {
        Path adapter;
        try (Arena arena = Arena.ofConfined()) {
            adapter = new TestAdapters(arena, 12).linear("m.q_proj", 4, 3, 3)
                    .write(dir.resolve("adapter"), TestAdapters.config(8, 8), FileDType.F32);
        }
        Run run = run("inspect", adapter.toString());
        assertEquals(2, run.exitCode());
        assertEquals("", run.out());
        List<String> errLines = run.err().lines().toList();
        assertEquals(1, errLines.size(), run.err());
        assertTrue(errLines.get(0).startsWith("amalgam: error: " + adapter.resolve("adapter_config.json")),
                run.err());
        assertTrue(errLines.get(0).contains("has rank 4"), run.err());
    }

    @Test
    void missingDirectoryIsBadInput() {
        Path missing = dir.resolve("missing");
        Run run = run("inspect", missing.toString());
        assertEquals(2, run.exitCode());
        assertEquals("amalgam: error: " + missing + ": no such adapter directory", run.err().strip());
    }

    @Test
    void nonFiniteWeightsRefusedUnlessAllowed() throws IOException {
        Path adapter;
        try (Arena arena = Arena.ofConfined()) {
            TestAdapters t = new TestAdapters(arena, 13).linear("m.q_proj", 1, 2, 2);
            FloatSegments.set(t.tensors().get(LoraModule.KEY_PREFIX + "m.q_proj.lora_A.weight").data(), 1,
                    Float.POSITIVE_INFINITY);
            adapter = t.write(dir.resolve("adapter"), TestAdapters.config(1, 1), FileDType.F32);
        }
        Run refused = run("inspect", adapter.toString());
        assertEquals(2, refused.exitCode());
        assertTrue(refused.err().contains(adapter.resolve(LoraAdapter.WEIGHTS_FILE) + ": tensor "
                + "'base_model.model.m.q_proj.lora_A.weight': contains Infinity"), refused.err());
        Run allowed = run("inspect", "--allow-nonfinite", adapter.toString());
        assertEquals(0, allowed.exitCode(), allowed.err());
        assertTrue(allowed.out().contains("Infinity"), allowed.out());
    }

    @Test
    void listedInTheRootHelp() {
        Run run = run("--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("inspect"), run.out());
        assertTrue(Files.isDirectory(dir));
    }
}
