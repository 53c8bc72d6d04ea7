package amalgam.merge.dil;

import amalgam.engine.InputException;
import amalgam.engine.io.AtomicOutput;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * Writes the study's outputs so that each appears complete or not at all: the report directory (report.md,
 * results.json and the plots) through {@link AtomicOutput}, the {@code --json} file through a temporary
 * sibling renamed into place. Existing outputs are refused without {@code force}, checked before the study runs.
 */
public final class ResultOutput {

    private ResultOutput() {}

    /** Fails now, before minutes of training, if an output exists and {@code force} is not given. */
    public static void checkWritable(Path reportDirectory, Path json, boolean force) {
        for (Path p : new Path[] {reportDirectory, json}) {
            if (p == null) continue;
            if (!force && Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new InputException(p.toString(), "already exists (use --force to replace it)");
            }
            Path parent = p.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new InputException(p.toString(), "parent directory " + parent + " does not exist");
            }
        }
    }

    public static String json(DilResults results) throws IOException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(results.asJson()) + "\n";
    }

    public static void writeJson(DilResults results, Path file, boolean force) throws IOException {
        writeFile(file, json(results), force);
    }

    /** {@code content} as {@code file}, through a temporary sibling renamed into place; refused if it exists without {@code force}. */
    public static void writeFile(Path file, String content, boolean force) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path temp = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName() + ".", ".tmp");
        try {
            Files.writeString(temp, content);
            if (force) Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            else {
                if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
                    throw new InputException(file.toString(), "already exists (use --force to replace it)");
                }
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The report directory: report.md, results.json and the PNG plots. */
    public static void writeReport(DilResults results, Path directory, boolean force, double wallSeconds,
                                   String command) throws IOException {
        try (AtomicOutput out = AtomicOutput.begin(directory, force)) {
            List<String> plots = plotsIfPossible(results, out.directory());
            Files.writeString(out.directory().resolve("results.json"), json(results));
            Files.writeString(out.directory().resolve("report.md"), markdown(results, plots, wallSeconds, command));
            out.commit();
        }
    }

    /**
     * The PNG plots, or none where the runtime cannot draw them: a dist bundle leaves out java.desktop and the
     * charting jars to stay within its size limit, and its report is then tables only.
     */
    private static List<String> plotsIfPossible(DilResults results, Path directory) throws IOException {
        try {
            return ResultPlots.write(results, directory);
        } catch (NoClassDefFoundError missing) {
            System.err.println("amalgam: plots skipped: this runtime has no charting support (" + missing.getMessage() + ")");
            return List.of();
        }
    }

    static String markdown(DilResults r, List<String> plots, double wallSeconds, String command) {
        StringBuilder md = new StringBuilder();
        md.append("# Adaptive LoRA merging, domain-incremental Fashion-MNIST\n\n");
        md.append(String.format(Locale.ROOT, "`%s` — %d seed(s), %.0f s wall time, dataset %s; amalgam %s, "
                        + "commit %s.%n%n", command, r.seeds().size(), wallSeconds, r.config().dataset(),
                r.tool().getOrDefault("version", "unknown"), r.tool().getOrDefault("commit", "unknown")));
        md.append("## Domains\n\n");
        for (Domain d : Domain.values()) md.append("- **").append(d.id()).append("**: ").append(d.description()).append('\n');
        md.append("\nA TinyViT is pre-trained on `original`; at experience t a rank-").append(r.config().rank())
                .append(" LoRA on the qkv and output projections of both blocks is trained on domain t, ")
                .append(r.config().samplesPerClass()).append(" training image(s) per class join the memory buffer, ")
                .append("and adapters 1..t are merged. Fixed: every adapter weighted W. Adaptive: ")
                .append(r.config().coefficients().description()).append(" Beside it, the same with ")
                .append(r.config().adaptiveRows().get(1).recipe().description()).append("\n\n")
                .append("lego and svd merge the factors into one LoRA of the adapters' rank (").append(r.config().rank())
                .append("): LoRA-LEGO clusters the rank slices of all adapters, svd truncates the weighted sum; ")
                .append("cat keeps every slice (rank t·").append(r.config().rank()).append("), which is the exact ")
                .append("weighted sum and so equals task arithmetic with the same W.\n\n");
        md.append("## Final accuracy over all four domains (%, mean ± std over seeds)\n\n");
        md.append("Columns are W for the fixed rows and b_max for the adaptive rows; baselines have one value.\n\n");
        md.append(ResultTables.study(r, true)).append('\n');
        md.append("## Per experience (").append(r.config().traceKind().cliName()).append(", adaptive b_max=")
                .append(r.config().traceBMax()).append(")\n\n");
        md.append("Weights: the ").append(r.config().traceWeightsMeaning()).append(", mean over seeds; accuracy (%) on ")
                .append("each domain seen.\n\n");
        md.append(ResultTables.experiences(r, true)).append('\n');
        md.append("## Plots\n\n");
        for (String p : plots) md.append("![").append(p).append("](").append(p).append(")\n");
        md.append("\n## Configuration\n\n```\n").append(r.config().asMap()).append("\n```\n");
        return md.toString();
    }
}
