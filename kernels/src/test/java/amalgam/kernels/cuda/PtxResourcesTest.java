package amalgam.kernels.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs without a GPU: the PTX nvcc built must define every kernel the Java side launches, so a renamed or
 * missing kernel is caught on any machine that has nvcc.
 */
class PtxResourcesTest {

    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*\\(");

    private static boolean anyPtxBuilt() {
        return CudaKernels.MODULES.stream().anyMatch(m -> PtxResourcesTest.class.getResource(KernelRef.resourceOf(m)) != null);
    }

    static Set<String> entries(String module) {
        byte[] ptx = CudaModule.readPtx(module);
        Matcher matcher = ENTRY.matcher(new String(ptx, StandardCharsets.US_ASCII));
        Set<String> names = new HashSet<>();
        while (matcher.find()) names.add(matcher.group(1));
        return names;
    }

    @Test
    void everyLaunchedKernelIsDefinedInItsModule() throws IOException {
        assumeTrue(anyPtxBuilt(), "no PTX in the build: nvcc was not on the PATH when the kernels module was compiled");
        for (String module : CudaKernels.MODULES) {
            assertNotNull(getClass().getResource(KernelRef.resourceOf(module)), KernelRef.resourceOf(module) + " was not built");
            Set<String> defined = entries(module);
            for (KernelRef kernel : CudaKernels.ALL) {
                if (kernel.module().equals(module)) {
                    assertTrue(defined.contains(kernel.entry()), kernel + " is not defined; the module has " + defined);
                }
            }
        }
    }

    private static final Pattern ENTRY_WITH_PARAMS = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+(?:\\.align\\s+\\d+\\s+)?\\.(\\w+)\\s+\\w+(?:\\[(\\d+)])?");

    /** The parameter list of each entry of a module, in KernelArgs' notation, with "i64|ptr" for .u64. */
    static Map<String, List<String>> parameters(String module) {
        String ptx = new String(CudaModule.readPtx(module), StandardCharsets.US_ASCII);
        Map<String, List<String>> result = new HashMap<>();
        Matcher entry = ENTRY_WITH_PARAMS.matcher(ptx);
        while (entry.find()) {
            List<String> kinds = new ArrayList<>();
            Matcher param = PARAM.matcher(entry.group(2));
            while (param.find()) {
                kinds.add(switch (param.group(1)) {
                    case "u32", "s32", "b32" -> "i32";
                    case "f32" -> "f32";
                    case "f64" -> "f64";
                    case "u64", "s64", "b64" -> "i64|ptr";
                    case "b8" -> "i64x" + Integer.parseInt(param.group(2)) / 8;
                    default -> "?" + param.group(1);
                });
            }
            result.put(entry.group(1), kinds);
        }
        return result;
    }

    /** The arguments Java passes (KernelRef signatures, which every launch is checked against) fit the PTX. */
    @Test
    void everyDeclaredSignatureMatchesThePtxParameters() {
        assumeTrue(anyPtxBuilt(), "no PTX in the build: nvcc was not on the PATH when the kernels module was compiled");
        for (KernelRef kernel : CudaKernels.ALL) {
            List<String> ptx = parameters(kernel.module()).get(kernel.entry());
            assertNotNull(ptx, kernel + " not found");
            String[] declared = kernel.signature().split(" ");
            assertEquals(ptx.size(), declared.length, kernel + ": PTX parameters " + ptx + " vs declared " + kernel.signature());
            for (int i = 0; i < declared.length; i++) {
                String kind = declared[i].equals("i64") || declared[i].equals("ptr") ? "i64|ptr" : declared[i];
                assertEquals(ptx.get(i), kind, kernel + " parameter " + i + ": PTX " + ptx + " vs declared " + kernel.signature());
            }
        }
    }

    @Test
    void ptxTargetsAmpereSoTensorCoreMmaIsAllowed() throws IOException {
        assumeTrue(anyPtxBuilt(), "no PTX in the build: nvcc was not on the PATH when the kernels module was compiled");
        String tf32 = new String(CudaModule.readPtx("gemm_tf32"), StandardCharsets.US_ASCII);
        assertTrue(tf32.contains(".target sm_80"), "gemm_tf32.ptx should target sm_80");
        assertTrue(tf32.contains("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32"), "no TF32 mma in gemm_tf32.ptx");
        assertTrue(tf32.contains("cvt.rna.tf32.f32"), "inputs are not rounded to TF32 in gemm_tf32.ptx");
    }

    /** Every native/cuda/*.cu is a module the Java side knows, and every known module has a source. */
    @Test
    void modulesMatchTheCudaSources() throws IOException {
        Path sources = Path.of("..", "native", "cuda");
        assumeTrue(Files.isDirectory(sources), "native/cuda not found from " + Path.of("").toAbsolutePath());
        List<String> files;
        try (Stream<Path> list = Files.list(sources)) {
            files = list.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".cu"))
                    .map(f -> f.substring(0, f.length() - 3)).sorted().toList();
        }
        assertEquals(files, CudaKernels.MODULES.stream().sorted().toList());
    }

    /** The sm_90 SASS is an ELF cubin per module holding every kernel the Java side launches from it. */
    @Test
    void sm90SassDefinesEveryLaunchedKernel() {
        assumeTrue(anyPtxBuilt(), "no PTX in the build: nvcc was not on the PATH when the kernels module was compiled");
        for (String module : CudaKernels.MODULES) {
            String resource = KernelRef.sassResourceOf(module, 9, 0);
            byte[] cubin = CudaModule.readResource(resource);
            assertNotNull(cubin, resource + " was not built");
            assertEquals("\u007fELF", new String(cubin, 0, 4, StandardCharsets.ISO_8859_1), resource + " is not an ELF cubin");
            String sections = new String(cubin, StandardCharsets.ISO_8859_1);
            for (KernelRef kernel : CudaKernels.ALL) {
                if (kernel.module().equals(module)) {
                    assertTrue(sections.contains(".text." + kernel.entry() + "\0"), kernel + " has no SASS in " + resource);
                }
            }
        }
    }

    @Test
    void readPtxIsNulTerminatedForTheDriver() {
        assumeTrue(anyPtxBuilt(), "no PTX in the build: nvcc was not on the PATH when the kernels module was compiled");
        byte[] ptx = CudaModule.readPtx("sgemm");
        assertEquals(0, ptx[ptx.length - 1]);
        assertTrue(ptx.length > 1000);
    }
}
