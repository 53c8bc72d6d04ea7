package amalgam.merge.cli;

import amalgam.engine.InputException;
import amalgam.engine.io.FileDType;
import amalgam.merge.adapter.SyntheticAdapters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code amalgam synthetic-adapters}: the merge benchmark's random inputs, to repeat a merge measurement. */
@Command(name = "synthetic-adapters", mixinStandardHelpOptions = true,
        description = {
                "Write seeded random PEFT LoRA adapters with one transformer block's modules (q_proj and o_proj "
                        + "2048×2048, up_proj 2048→5504): the inputs of the README's merge measurement. Adapter a "
                        + "is OUT/adapter<a>.",
                "",
                "Example:",
                "  amalgam synthetic-adapters --out /tmp/mp-in --count 8 --rank 16 --dtype bf16",
                "  amalgam merge --method ties_svd --density 0.2 --rank 16 \\",
                "      --out /tmp/mp-out /tmp/mp-in/adapter*"})
public final class SyntheticAdaptersCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write adapter1 … adapterN into.")
    Path out;

    @Option(names = "--count", paramLabel = "N", defaultValue = "8", description = "Number of adapters (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--rank", paramLabel = "R", defaultValue = "16", description = "LoRA rank of every module (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--dtype", paramLabel = "f32|f16|bf16", defaultValue = "bf16", description = "Storage type (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed; adapter a uses S·1000 + a (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--force", description = "Replace adapters that exist already.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        if (count < 1) throw new InputException("--count", "must be at least 1, got " + count);
        if (rank < 1 || rank > 2048) throw new InputException("--rank", "must be in [1, 2048], got " + rank);
        FileDType type = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32" -> FileDType.F32;
            case "f16" -> FileDType.F16;
            case "bf16" -> FileDType.BF16;
            default -> throw new InputException("--dtype", "expected f32, f16 or bf16, got '" + dtype + "'");
        };
        List<Path> written = SyntheticAdapters.writeAll(out, count, rank, type, seed, force);
        spec.commandLine().getOut().println("wrote " + written.size() + " adapters of rank " + rank + " ("
                + type.name().toLowerCase(Locale.ROOT) + ") to " + out.toAbsolutePath().normalize());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
