package amalgam.merge.cli;

import amalgam.engine.InputException;
import amalgam.merge.adapter.AdapterConfig;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.adapter.LoraNorms;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code amalgam inspect ADAPTER_DIR}: what a user checks before merging — the config's scaling fields, and per
 * module its shape, rank, scaling, storage type and norms (‖ΔW‖_F from r×r Gram matrices, never the dense ΔW).
 *
 * <p>Bad input surfaces as {@link InputException}, which {@link FailureReporter} prints as one line with exit 2.
 */
@Command(name = "inspect",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Show an adapter's modules, shapes, ranks, scalings, dtypes and norms. |dW|_F is the "
                + "Frobenius norm of scaling*B*A, the update the module adds to its base weight."})
public final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ADAPTER_DIR", description = "A PEFT LoRA adapter directory "
            + "(adapter_model.safetensors + adapter_config.json).")
    Path adapterDirectory;

    @Option(names = "--allow-nonfinite", description = "Report adapters containing NaN or infinite weights instead "
            + "of refusing them.")
    boolean allowNonFinite;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (LoraAdapter adapter = LoraAdapter.open(adapterDirectory, allowNonFinite)) {
            printSummary(adapter, out);
            printModules(adapter, out);
            return 0;
        } finally {
            out.flush();
        }
    }

    private static void printSummary(LoraAdapter adapter, PrintWriter out) {
        AdapterConfig config = adapter.config();
        long parameters = adapter.modules().stream().mapToLong(LoraModule::parameterCount).sum();
        TreeSet<String> dtypes = new TreeSet<>();
        adapter.modules().forEach(m -> {
            dtypes.add(adapter.tensorA(m).dtype().name());
            dtypes.add(adapter.tensorB(m).dtype().name());
        });
        out.println("adapter      " + adapter.directory());
        out.println("base model   " + config.baseModelNameOrPath().orElse("(not given)"));
        out.println("config       r=" + config.r() + " lora_alpha=" + number(config.loraAlpha())
                + " use_rslora=" + config.useRslora()
                + " rank_pattern=" + (config.hasRankPattern() ? "yes" : "no")
                + " alpha_pattern=" + (config.hasAlphaPattern() ? "yes" : "no")
                + " fan_in_fan_out=" + config.fanInFanOut());
        out.println("weights      " + adapter.modules().size() + " modules, " + parameters + " parameters, "
                + String.join("+", dtypes));
        if (!adapter.extraTensors().isEmpty()) {
            out.println("not LoRA     " + String.join(", ", adapter.extraTensors()) + " (copied by merges)");
        }
        out.println();
    }

    private static void printModules(LoraAdapter adapter, PrintWriter out) {
        List<String[]> rows = new ArrayList<>();
        // ASCII only: a terminal in the POSIX locale would print '?' for ‖ and ×.
        rows.add(new String[] {"module", "kind", "out x in", "rank", "scaling", "dtype", "|A|_F", "|B|_F", "|dW|_F"});
        for (LoraModule m : adapter.modules()) {
            LoraNorms norms;
            // Read in blocks: inspecting a module larger than memory needs one block of it.
            try (Arena arena = Arena.ofConfined()) {
                norms = LoraNorms.of(adapter, m, arena);
            }
            String dtype = adapter.tensorA(m).dtype() == adapter.tensorB(m).dtype() ? m.dtype().name()
                    : adapter.tensorA(m).dtype() + "/" + adapter.tensorB(m).dtype();
            rows.add(new String[] {m.name(), m.kind().name().toLowerCase(Locale.ROOT),
                    m.outFeatures() + " x " + m.inFeatures(), Integer.toString(m.rank()), number(m.scaling()), dtype,
                    number(norms.a()), number(norms.b()), number(norms.delta())});
        }
        printTable(rows, out);
    }

    /** Left-aligned text columns, right-aligned numeric ones, two spaces apart. */
    private static void printTable(List<String[]> rows, PrintWriter out) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) widths[c] = Math.max(widths[c], row[c].length());
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                boolean leftAligned = c < 2 || c == 5;
                String cell = row[c];
                String pad = " ".repeat(widths[c] - cell.length());
                line.append(leftAligned ? cell + pad : pad + cell);
                if (c < columns - 1) line.append("  ");
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e9) return Long.toString((long) value);
        return String.format(Locale.ROOT, "%.5g", value);
    }
}
