package amalgam.merge.cli;

import amalgam.engine.InputException;
import amalgam.merge.adaptive.CoefficientRecipe;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options {@code amalgam dil} and {@code amalgam demo} share: seeds, outputs, how coefficients are learned
 * and what computes. {@code --out} defaults to COMMAND-report; a command gets that default by naming
 * {@link ReportDirectoryDefault} as its default-value provider.
 */
public final class StudyOptions {

    @Option(names = "--seeds", paramLabel = "LIST", defaultValue = "0,1,2,3,4", order = 3,
            description = "Comma-separated seeds; results are mean ± std over them. Default: ${DEFAULT-VALUE}.")
    String seeds;

    @Option(names = "--json", paramLabel = "FILE", order = 5, description = "Also write the results as JSON.")
    Path json;

    @Option(names = "--out", paramLabel = "DIR", order = 6,
            description = "Report directory (report.md, results.json, PNG plots). Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--force", order = 7, description = "Replace existing outputs.")
    boolean force;

    @Option(names = "--save-models", paramLabel = "DIR", order = 8,
            description = "Also write the first seed's models for other commands: DIR/base (a transformers ViT "
                    + "checkpoint), DIR/adapters/DOMAIN (PEFT LoRAs), DIR/buffer and DIR/eval (image folders) and "
                    + "DIR/README.md with the amalgam run and train-coefficients commands that use them.")
    Path saveModels;

    @Mixin
    CoefficientOptions coefficientOptions = new CoefficientOptions();

    @Mixin
    ComputeOptions compute = new ComputeOptions();

    List<Long> seeds() {
        return parseSeeds(seeds);
    }

    /** {@code --seeds}: comma-separated integers, or one line naming the option. */
    static List<Long> parseSeeds(String seeds) {
        List<Long> out = new ArrayList<>();
        for (String s : seeds.split(",")) {
            try {
                out.add(Long.parseLong(s.strip()));
            } catch (NumberFormatException e) {
                throw new InputException("--seeds", "expected comma-separated integers, got '" + seeds + "'");
            }
        }
        return out;
    }

    CoefficientRecipe coefficients() {
        return coefficientOptions.recipe();
    }

    /** {@code --out}'s default, named after the command: dil-report, demo-report. */
    public static final class ReportDirectoryDefault implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec argSpec) {
            if (argSpec instanceof OptionSpec option && option.longestName().equals("--out")) {
                return argSpec.command().name() + "-report";
            }
            return null;
        }
    }
}
