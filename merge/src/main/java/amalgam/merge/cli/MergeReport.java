package amalgam.merge.cli;

import amalgam.merge.pipeline.AdapterMerge;
import amalgam.merge.pipeline.MergePlan;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What {@code amalgam merge} tells about a finished merge: the {@code --json} object and the warning for modules
 * whose output rank kept less than {@code --min-energy} of their merged update. Energy kept is
 * ‖truncated‖²_F / ‖ΔW‖²_F of each module's merged update ΔW; NaN (lego) is no truncation and never warns.
 */
record MergeReport(MergePlan plan, List<Path> adapters, Path out, AdapterMerge.Result result, String backend,
                   int threads, double minEnergy) {

    /** How many of the worst modules the warning names: enough to act on, short enough for one line. */
    private static final int NAMED = 3;

    /** The modules below the threshold, worst first. */
    List<AdapterMerge.WrittenModule> belowMinEnergy() {
        List<AdapterMerge.WrittenModule> below = new ArrayList<>();
        for (AdapterMerge.WrittenModule m : result.modules()) {
            if (m.energyKept() < minEnergy) below.add(m);
        }
        below.sort(Comparator.comparingDouble(AdapterMerge.WrittenModule::energyKept));
        return below;
    }

    /** One line for stderr, or null when every module kept enough. */
    String warning() {
        List<AdapterMerge.WrittenModule> below = belowMinEnergy();
        if (below.isEmpty()) return null;
        List<String> worst = new ArrayList<>();
        for (AdapterMerge.WrittenModule m : below.subList(0, Math.min(NAMED, below.size()))) {
            worst.add("'" + m.module().name() + "' " + percent(m.energyKept()) + " at rank " + m.module().rank());
        }
        return "amalgam: warning: " + below.size() + " of " + result.modules().size() + " modules keep less than "
                + percent(minEnergy) + " of their merged update at the output rank (--min-energy): "
                + String.join(", ", worst) + (below.size() > NAMED ? ", …" : "")
                + "; a larger --rank keeps more (--json lists every module)";
    }

    /** The worst module's share, for the text summary; NaN when no module was truncated by an SVD. */
    double leastEnergyKept() {
        return result.modules().stream().mapToDouble(AdapterMerge.WrittenModule::energyKept).filter(e -> !Double.isNaN(e))
                .min().orElse(Double.NaN);
    }

    String json() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("method", plan.method().cliName());
        root.put("description", plan.describe());
        ArrayNode inputs = root.putArray("adapters");
        adapters.forEach(a -> inputs.add(a.toAbsolutePath().normalize().toString()));
        root.put("output", out.toAbsolutePath().normalize().toString());
        // A full model has no one type: each weight keeps the base's.
        root.put("dtype", result.dtype() == null ? null : result.dtype().name().toLowerCase(Locale.ROOT));
        root.put("base_model", result.baseModel() == null ? null : result.baseModel().toAbsolutePath().normalize().toString());
        root.put("backend", backend);
        root.put("threads", threads);
        root.put("seconds", result.seconds());
        root.put("min_energy", minEnergy);
        ArrayNode modules = root.putArray("modules");
        for (AdapterMerge.WrittenModule m : result.modules()) {
            ObjectNode node = modules.addObject();
            node.put("name", m.module().name());
            node.put("kind", m.module().kind().name().toLowerCase(Locale.ROOT));
            node.put("out_features", m.module().outFeatures());
            node.put("in_features", m.module().inFeatures());
            node.put("rank", m.module().rank());
            if (Double.isNaN(m.energyKept())) node.putNull("energy_kept");
            else node.put("energy_kept", m.energyKept());
            node.put("seconds", m.seconds());
        }
        ArrayNode below = root.putArray("below_min_energy");
        belowMinEnergy().forEach(m -> below.add(m.module().name()));
        try {
            return mapper.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of plain values always serialises
        }
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }
}
