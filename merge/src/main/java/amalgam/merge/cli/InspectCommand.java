package amalgam.merge.cli;

import amalgam.engine.InputException;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.inspect.AdapterComparison;
import amalgam.merge.inspect.AdapterInspection;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code amalgam inspect ADAPTER_DIR…}: what a user checks before merging. One adapter: its config's scaling
 * fields and per module its shape, rank, scaling, storage type and norms (with {@code --json}, its singular
 * values too). Several: their updates compared module by module ({@link AdapterComparison}). Everything is
 * measured from the factors, never the dense ΔW.
 *
 * <p>Bad input surfaces as {@link InputException}, which {@link FailureReporter} prints as one line with exit 2.
 */
@Command(name = "inspect",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
                "Show what to check before merging: one adapter's modules, or how several adapters' updates relate.",
                "",
                "One ADAPTER_DIR: the config's scaling fields, and per module its shape, rank, scaling, dtype and "
                        + "norms; |dW|_F is the Frobenius norm of scaling*B*A, the update the module adds to its "
                        + "base weight. --json adds each module's singular values of dW, largest first (rank of "
                        + "them: how much of the update each direction carries).",
                "",
                "Two or more ADAPTER_DIRs: per module present in all of them and every pair of adapters:",
                "  cosine       <dW_a, dW_b>_F / (|dW_a|_F |dW_b|_F), exact from the factors",
                "               (ranks may differ): 1 same direction, 0 unrelated, -1 opposite",
                "  signs agree  the share of entries nonzero in both whose signs agree: exact",
                "               up to --sign-entries entries per module, else on evenly spaced",
                "               rows (the rows column says which); about 0.5 for unrelated",
                "               updates, 1 identical, 0 negated",
                "then per pair the means over modules and what they mean for TIES, whose sign election settles "
                        + "exactly the entries where signs conflict. Modules not in every adapter, or with "
                        + "different shapes, are listed as not compared.",
                "",
                "Examples:",
                "  amalgam inspect adapters/a",
                "  amalgam inspect --json adapters/a | jq '.modules[0].singular_values'",
                "  amalgam inspect adapters/a adapters/b adapters/c",
                "  amalgam inspect --json adapters/a adapters/b | jq '.summary.pairs'",
                ""},
        footer = {"", "With --json stdout holds one JSON object and nothing else (adapters are numbered from 0 there, "
                + "from #1 in the table); warnings go to stderr."})
public final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "ADAPTER_DIR", description = "PEFT LoRA adapter directories "
            + "(adapter_model.safetensors + adapter_config.json): one to inspect, two or more to compare.")
    List<Path> adapterDirectories;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of the tables: everything the "
            + "table shows plus each module's singular values, or for several adapters every module's cosine and "
            + "sign agreement per pair, the modules not compared and the per-pair summary.")
    boolean json;

    @Option(names = "--sign-entries", paramLabel = "N", description = "When comparing: count signs on every entry "
            + "of a module with at most N entries, else on evenly spaced whole rows, about N entries "
            + "(default: ${DEFAULT-VALUE}).")
    long signEntries = AdapterComparison.DEFAULT_SIGN_ENTRIES;

    @Option(names = "--allow-nonfinite", description = "Report adapters containing NaN or infinite weights instead "
            + "of refusing them.")
    boolean allowNonFinite;

    @Override
    public Integer call() {
        if (signEntries < 1) throw new InputException("--sign-entries", "must be at least 1, got " + signEntries);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<LoraAdapter> adapters = new ArrayList<>();
        try {
            for (Path dir : adapterDirectories) adapters.add(LoraAdapter.open(dir, allowNonFinite));
            if (adapters.size() == 1) {
                AdapterInspection inspection = AdapterInspection.of(adapters.getFirst(), json);
                inspection.warnings().forEach(w -> err.println("amalgam: warning: " + w));
                err.flush();
                InspectReport report = new InspectReport(inspection);
                if (json) out.println(report.json());
                else report.printText(out);
            } else {
                ComparisonReport report = new ComparisonReport(AdapterComparison.of(adapters, signEntries));
                if (json) out.println(report.json());
                else report.printText(out);
            }
            return 0;
        } finally {
            adapters.forEach(LoraAdapter::close);
            out.flush();
        }
    }
}
