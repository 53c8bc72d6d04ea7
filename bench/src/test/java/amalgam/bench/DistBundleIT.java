package amalgam.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import amalgam.kernels.FloatSegments;
import amalgam.engine.io.FileDType;
import amalgam.engine.io.FloatTensor;
import amalgam.engine.io.Safetensors;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds a bundle with {@code amalgam dist} from this build's packaged jars, then runs it the way a GPU machine
 * would: no JAVA_HOME and no java on the PATH. Lives in the bench module and runs in the integration-test phase
 * because the bundle needs every module's jar, the thin benchmark jar included, and those exist only after
 * package. The bundle is built once for the class: jlink takes 10–20 s.
 */
class DistBundleIT {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final String JAVA = ProcessHandle.current().info().command().orElseThrow();

    @TempDir
    static Path temp;

    static Path bundle;
    static Run distRun;

    record Run(int status, String stdout, String stderr) {}

    @BeforeAll
    static void buildBundle() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(JAVA).resolveSibling("jlink")), "no jlink beside " + JAVA);
        assumeTrue(Files.isRegularFile(ROOT.resolve("merge/target/amalgam-merge.jar")), "merge module not packaged");
        bundle = temp.resolve("bundle");
        distRun = run(List.of(JAVA, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Damalgam.home=" + ROOT, "-Damalgam.java=" + JAVA,
                "-cp", ROOT.resolve("merge/target/amalgam-merge.jar") + ":" + ROOT.resolve("merge/target/lib/*"),
                "amalgam.merge.cli.AmalgamCommand", "dist", "--out", bundle.toString()), Map.of());
    }

    @Test
    void distWritesTheBundleAndSaysWhatIsInIt() {
        assertEquals(0, distRun.status(), distRun.stderr());
        assertTrue(distRun.stdout().contains("amalgam dist: wrote " + bundle), distRun.stdout());
        assertTrue(distRun.stdout().contains("jdk.incubator.vector"), distRun.stdout());
        assertTrue(Files.isExecutable(bundle.resolve("bin/amalgam")));
        assertTrue(Files.isExecutable(bundle.resolve("runtime/bin/java")));
        assertTrue(Files.isRegularFile(bundle.resolve("lib/amalgam-bench.jar")));
        assertTrue(Files.isExecutable(bundle.resolve("evidence/evidence.sh")), "the GPU evidence script travels along");
        // Both builds of the C library travel in the kernels jar, so the bundle has native kernels on AVX2 too.
        assertTrue(distRun.stdout().contains("native: libamalgam-x86-64-v3.so, libamalgam-x86-64-v4.so"),
                distRun.stdout());
    }

    @Test
    void bundleStaysWithinSixtyFourMebibytes() throws IOException {
        long bytes;
        try (Stream<Path> files = Files.walk(bundle)) {
            bytes = files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).mapToLong(f -> f.toFile().length()).sum();
        }
        assertTrue(bytes <= 64L << 20, "bundle is " + bytes + " bytes");
        assertTrue(bytes > 20L << 20, "bundle is suspiciously small: " + bytes + " bytes");
    }

    @Test
    void jcudaNativesKeepOnlyTheDriverLibrary() throws IOException {
        Path natives;
        try (Stream<Path> jars = Files.list(bundle.resolve("lib"))) {
            natives = jars.filter(j -> j.getFileName().toString().startsWith("jcuda-natives-")).findFirst().orElseThrow();
        }
        try (ZipFile zip = new ZipFile(natives.toFile())) {
            List<String> libraries = zip.stream().map(e -> e.getName()).filter(n -> n.endsWith(".so")).toList();
            assertEquals(List.of("lib/libJCudaDriver-12.6.0-linux-x86_64.so"), libraries);
        }
    }

    @Test
    void versionRunsWithoutAnyJavaOnThePath() throws Exception {
        Run version = runBundle("--version");
        assertEquals(0, version.status(), version.stderr());
        assertTrue(version.stdout().startsWith("amalgam "), version.stdout());
        assertTrue(version.stdout().contains("Java " + Runtime.version().feature()), version.stdout());
        assertFalse(version.stderr().contains("incubator"), "the launcher filters the incubator warning: " + version.stderr());
    }

    @Test
    void selfcheckHelpRunsFromTheBundle() throws Exception {
        Run help = runBundle("selfcheck", "--help");
        assertEquals(0, help.status(), help.stderr());
        assertTrue(help.stdout().contains("Usage: amalgam selfcheck"), help.stdout());
    }

    @Test
    void launcherPassesTheExitCodeThrough() throws Exception {
        Run unknown = runBundle("no-such-command");
        assertEquals(2, unknown.status(), unknown.stdout() + unknown.stderr());
        assertTrue(unknown.stderr().contains("amalgam: error:"), unknown.stderr());
        // A JVM that cannot start exits with 1: a second code, so a launcher that lost the status cannot pass.
        Run badOption = runBundle(Map.of("AMALGAM_JAVA_OPTS", "-XX:+NoSuchOptionAnywhere"), "--version");
        assertEquals(1, badOption.status(), badOption.stdout() + badOption.stderr());
        assertTrue(badOption.stderr().contains("NoSuchOptionAnywhere"), badOption.stderr());
    }

    @Test
    void distRefusesToRunFromABundle() throws Exception {
        Run dist = runBundle("dist", "--out", temp.resolve("again").toString());
        assertEquals(2, dist.status(), dist.stdout() + dist.stderr());
        assertTrue(dist.stderr().contains("only from a source tree"), dist.stderr());
        assertFalse(Files.exists(temp.resolve("again")));
    }

    @Test
    void jmhRunsFromTheBundleOnItsOwnRuntime() throws Exception {
        // JMH holds a machine-wide lock file in java.io.tmpdir; a private tmpdir keeps other JMH runs on this
        // machine from failing this test. JAVA_TOOL_OPTIONS reaches every JVM: the CLI, the report and JMH's fork.
        Path jmhTemp = Files.createDirectories(temp.resolve("jmh-tmp"));
        Run bench = runBundle(Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + jmhTemp),
                "bench", "GemmBench", "-p", "n=16", "-p", "impl=vector", "-p", "threads=1",
                "--warmup", "0", "--iterations", "1", "--time-ms", "50");
        assertEquals(0, bench.status(), bench.stdout() + bench.stderr());
        // JMH names the JVM it forks: it must be the bundle's, not the JDK that runs this test.
        assertTrue(bench.stdout().contains("# VM invoker: " + bundle.resolve("runtime/bin/java")), bench.stdout());
        assertTrue(bench.stdout().contains("impl=vector"), bench.stdout());
    }

    /**
     * Reads and writes adapters on the bundle's runtime: Jackson parses and writes adapter_config.json there
     * without java.desktop, which the runtime leaves out (see RuntimeLinker.DROPPED).
     */
    @Test
    void mergesAdaptersOnTheBundledRuntime() throws Exception {
        Path first = adapter(temp.resolve("adapter-1"), 1);
        Path second = adapter(temp.resolve("adapter-2"), 2);
        Path merged = temp.resolve("merged");
        Run merge = runBundle("merge", "-m", "ties", "-d", "0.5", "-o", merged.toString(), first.toString(), second.toString());
        assertEquals(0, merge.status(), merge.stdout() + merge.stderr());
        assertTrue(Files.readString(merged.resolve("adapter_config.json")).contains("\"peft_type\" : \"LORA\""));

        Run inspect = runBundle("inspect", merged.toString());
        assertEquals(0, inspect.status(), inspect.stdout() + inspect.stderr());
        assertTrue(inspect.stdout().contains("model.layers.0.self_attn.q_proj"), inspect.stdout());
    }

    /** A PEFT LoRA adapter with rank-4 updates of two 16×16 projections, random weights from {@code seed}. */
    private static Path adapter(Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom random = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            Map<String, FloatTensor> tensors = new LinkedHashMap<>();
            for (String module : List.of("q_proj", "v_proj")) {
                String prefix = "base_model.model.model.layers.0.self_attn." + module;
                tensors.put(prefix + ".lora_A.weight", randomTensor(arena, random, 4, 16));
                tensors.put(prefix + ".lora_B.weight", randomTensor(arena, random, 16, 4));
            }
            Safetensors.write(dir.resolve("adapter_model.safetensors"), tensors, Map.of("format", "pt"), FileDType.F32);
        }
        Files.writeString(dir.resolve("adapter_config.json"), """
                {"peft_type": "LORA", "r": 4, "lora_alpha": 8, "base_model_name_or_path": "tiny/base",
                 "target_modules": ["q_proj", "v_proj"]}""");
        return dir;
    }

    private static FloatTensor randomTensor(Arena arena, SplittableRandom random, long rows, long cols) {
        FloatTensor tensor = new FloatTensor(new long[] {rows, cols}, FloatSegments.allocate(arena, rows * cols));
        for (long i = 0; i < rows * cols; i++) FloatSegments.set(tensor.data(), i, (float) (random.nextDouble() * 2 - 1));
        return tensor;
    }

    /** Runs bin/amalgam with an environment holding no JAVA_HOME and a PATH where no java can be found. */
    private static Run runBundle(String... arguments) throws Exception {
        return runBundle(Map.of(), arguments);
    }

    private static Run runBundle(Map<String, String> extraEnvironment, String... arguments) throws Exception {
        Path tools = Files.createDirectories(temp.resolve("tools"));
        for (String tool : new String[] {"/bin/ls", "/bin/sed", "/usr/bin/dirname"}) {
            Path link = tools.resolve(Path.of(tool).getFileName());
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, Path.of(tool));
        }
        List<String> command = new ArrayList<>(List.of(bundle.resolve("bin/amalgam").toString()));
        command.addAll(List.of(arguments));
        Map<String, String> environment = new LinkedHashMap<>(Map.of("PATH", tools.toString(), "HOME", temp.toString()));
        environment.putAll(extraEnvironment);
        return run(command, environment);
    }

    private static Run run(List<String> command, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (!environment.isEmpty()) {
            builder.environment().clear();
            builder.environment().putAll(environment);
        }
        Path stdout = Files.createTempFile(temp, "out", ".txt");
        Path stderr = Files.createTempFile(temp, "err", ".txt");
        Process process = builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        process.getOutputStream().close();
        int status = process.waitFor();
        return new Run(status, Files.readString(stdout, StandardCharsets.UTF_8), Files.readString(stderr, StandardCharsets.UTF_8));
    }
}
