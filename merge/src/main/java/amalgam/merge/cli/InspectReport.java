package amalgam.merge.cli;

import static amalgam.merge.cli.TextTable.number;

import amalgam.merge.adapter.AdapterConfig;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.inspect.AdapterInspection;
import amalgam.merge.inspect.ModuleFacts;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Locale;

/** What {@code amalgam inspect ADAPTER_DIR} prints: a summary and a table of modules, or the same as JSON. */
record InspectReport(AdapterInspection inspection) {

    void printText(PrintWriter out) {
        AdapterConfig config = inspection.config();
        out.println("adapter      " + inspection.directory());
        out.println("base model   " + config.baseModelNameOrPath().orElse("(not given)"));
        out.println("config       r=" + config.r() + " lora_alpha=" + number(config.loraAlpha())
                + " use_rslora=" + config.useRslora()
                + " rank_pattern=" + (config.hasRankPattern() ? "yes" : "no")
                + " alpha_pattern=" + (config.hasAlphaPattern() ? "yes" : "no")
                + " fan_in_fan_out=" + config.fanInFanOut());
        out.println("weights      " + inspection.modules().size() + " modules, " + inspection.parameters()
                + " parameters, " + String.join("+", inspection.dtypes()));
        if (!inspection.extraTensors().isEmpty()) {
            out.println("not LoRA     " + String.join(", ", inspection.extraTensors()) + " (copied by merges)");
        }
        out.println();
        // ASCII only: a terminal in the POSIX locale would print '?' for ‖ and ×.
        TextTable table = new TextTable(true, true, false, false, false, true, false, false, false)
                .add("module", "kind", "out x in", "rank", "scaling", "dtype", "|A|_F", "|B|_F", "|dW|_F");
        for (ModuleFacts f : inspection.modules()) {
            LoraModule m = f.module();
            String dtype = f.dtypeA() == f.dtypeB() ? f.dtypeA().name() : f.dtypeA() + "/" + f.dtypeB();
            table.add(m.name(), kind(m), m.outFeatures() + " x " + m.inFeatures(), Integer.toString(m.rank()),
                    number(m.scaling()), dtype, number(f.norms().a()), number(f.norms().b()),
                    number(f.norms().delta()));
        }
        table.print(out);
    }

    String json() {
        ObjectNode root = Json.object();
        AdapterConfig config = inspection.config();
        root.put("adapter", inspection.directory().toAbsolutePath().normalize().toString());
        root.put("base_model", config.baseModelNameOrPath().orElse(null));
        ObjectNode scaling = root.putObject("config");
        scaling.put("r", config.r());
        Json.put(scaling, "lora_alpha", config.loraAlpha());
        scaling.put("use_rslora", config.useRslora());
        scaling.put("rank_pattern", config.hasRankPattern());
        scaling.put("alpha_pattern", config.hasAlphaPattern());
        scaling.put("fan_in_fan_out", config.fanInFanOut());
        root.put("parameters", inspection.parameters());
        ArrayNode dtypes = root.putArray("dtypes");
        inspection.dtypes().forEach(d -> dtypes.add(d.toLowerCase(Locale.ROOT)));
        ArrayNode extra = root.putArray("not_lora");
        inspection.extraTensors().forEach(extra::add);
        ArrayNode modules = root.putArray("modules");
        for (ModuleFacts f : inspection.modules()) {
            LoraModule m = f.module();
            ObjectNode node = modules.addObject();
            node.put("name", m.name());
            node.put("kind", kind(m));
            node.put("out_features", m.outFeatures());
            node.put("in_features", m.inFeatures());
            node.put("rank", m.rank());
            Json.put(node, "scaling", m.scaling());
            node.put("dtype_a", f.dtypeA().name().toLowerCase(Locale.ROOT));
            node.put("dtype_b", f.dtypeB().name().toLowerCase(Locale.ROOT));
            Json.put(node, "norm_a", f.norms().a());
            Json.put(node, "norm_b", f.norms().b());
            Json.put(node, "norm_delta", f.norms().delta());
            if (f.hasSpectrum()) {
                ArrayNode sigma = node.putArray("singular_values");
                for (double s : f.singularValues()) sigma.add(s);
            } else {
                node.putNull("singular_values");
                node.put("no_singular_values", f.noSpectrum());
            }
        }
        return Json.write(root);
    }

    static String kind(LoraModule m) {
        return m.kind().name().toLowerCase(Locale.ROOT);
    }
}
