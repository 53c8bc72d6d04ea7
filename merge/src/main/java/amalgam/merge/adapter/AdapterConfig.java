package amalgam.merge.adapter;

import static amalgam.engine.InputException.quote;

import amalgam.engine.InputException;
import amalgam.engine.io.StrictJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A PEFT {@code adapter_config.json}: the fields that decide how a LoRA's factors turn into ΔW (r, lora_alpha,
 * use_rslora, rank_pattern, alpha_pattern), the descriptive ones (target_modules, fan_in_fan_out,
 * base_model_name_or_path, peft_type), and the whole raw object, so that every field we do not interpret is
 * written back unchanged.
 *
 * <p>Scaling per module is {@code alpha/r}, or {@code alpha/√r} with {@code use_rslora}, where r and alpha come
 * from the first matching {@code rank_pattern}/{@code alpha_pattern} key (see {@link ModulePatterns}) or else the
 * top-level values.
 */
public final class AdapterConfig {

    public static final String FILE_NAME = "adapter_config.json";
    /**
     * Real configs are a few kilobytes (tens with a rank_pattern per module); this bounds what a hostile one can make
     * us parse. Parsing costs up to ~100 bytes of heap per byte of JSON (tree nodes, pattern entries), so the cap
     * keeps a hostile config to a few hundred megabytes at worst rather than gigabytes.
     */
    private static final long MAX_CONFIG_BYTES = 4L << 20;
    private static final StrictJson JSON = new StrictJson(MAX_CONFIG_BYTES);

    private final ObjectNode raw;
    private final String where;
    private final int r;
    private final double loraAlpha;
    private final boolean useRslora;
    private final ModulePatterns<Integer> rankPattern;
    private final ModulePatterns<Double> alphaPattern;
    private final List<String> targetModules;
    private final boolean fanInFanOut;
    private final String baseModelNameOrPath;
    private final String peftType;

    private AdapterConfig(ObjectNode raw, String where) {
        this.raw = raw;
        this.where = where;
        this.peftType = optionalText("peft_type");
        if (peftType != null && !peftType.equals("LORA")) {
            throw new InputException(where, "peft_type is " + quote(peftType) + "; only LORA adapters are supported");
        }
        if (optionalBoolean("use_dora")) {
            throw new InputException(where, "use_dora is true; DoRA adapters are not supported");
        }
        refuseVariant("use_bdlora", "a BD-LoRA adapter, whose block-diagonal factors are stored as blocks (lora_A "
                + "r × in/nblocks or lora_B out/nblocks × r) and would merge as the wrong update");
        refuseVariant("use_qalora", "a QA-LoRA adapter, whose lora_A acts on pooled groups of inputs");
        refuseVariant("alora_invocation_tokens", "an activated LoRA (aLoRA), applied only after its invocation "
                + "tokens, which a merged adapter cannot express");
        refuseVariant("lora_bias", "an adapter with a bias on lora_B, which the merged factors would drop");
        this.r = positiveInt(raw.get("r"), "r");
        this.loraAlpha = finiteNumber(raw.get("lora_alpha"), "lora_alpha");
        this.useRslora = optionalBoolean("use_rslora");
        this.fanInFanOut = optionalBoolean("fan_in_fan_out");
        this.baseModelNameOrPath = optionalText("base_model_name_or_path");
        this.targetModules = targetModules(raw.get("target_modules"));
        this.rankPattern = new ModulePatterns<>();
        forEachPattern("rank_pattern", (key, value) -> rankPattern.add(key,
                positiveInt(value, "rank_pattern[" + quote(key) + "]"), where + ": rank_pattern"));
        this.alphaPattern = new ModulePatterns<>();
        forEachPattern("alpha_pattern", (key, value) -> alphaPattern.add(key,
                finiteNumber(value, "alpha_pattern[" + quote(key) + "]"), where + ": alpha_pattern"));
    }

    /** Reads and validates {@code file}; every problem is an {@link InputException} naming it. */
    public static AdapterConfig read(Path file) {
        String where = file.toString();
        try {
            if (Files.isDirectory(file)) throw new InputException(where, "is a directory, expected a JSON file");
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                throw new InputException(where, "is not a regular file");
            }
            long size = Files.size(file);
            if (size > MAX_CONFIG_BYTES) {
                throw new InputException(where, "is " + size + " bytes; an adapter config is a few kilobytes");
            }
            return parse(Files.readAllBytes(file), where);
        } catch (NoSuchFileException e) {
            throw new InputException(where, "no such file", e);
        } catch (AccessDeniedException e) {
            throw new InputException(where, "permission denied", e);
        } catch (IOException e) {
            throw new InputException(where, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Parses a config from bytes; {@code where} names its source in errors. */
    public static AdapterConfig parse(byte[] json, String where) {
        return new AdapterConfig(JSON.parseObject(json, where), where);
    }

    // ---- what PEFT computes from it ---------------------------------------------------------------------

    /** The rank PEFT gives {@code module}: its rank_pattern match, else r. */
    public int rankFor(String module) {
        return rankPattern.lookup(module).map(ModulePatterns.Entry::value).orElse(r);
    }

    /** The alpha PEFT gives {@code module}: its alpha_pattern match, else lora_alpha. */
    public double alphaFor(String module) {
        return alphaPattern.lookup(module).map(ModulePatterns.Entry::value).orElse(loraAlpha);
    }

    /** The rank_pattern key that sets {@code module}'s rank, if one does (for error messages). */
    public Optional<String> rankPatternKeyFor(String module) {
        return rankPattern.lookup(module).map(ModulePatterns.Entry::key);
    }

    /** The factor ΔW = scaling · B A carries for {@code module}, given the rank its tensors actually have. */
    public double scalingFor(String module, int rank) {
        return scaling(alphaFor(module), rank, useRslora);
    }

    /** alpha/r, or alpha/√r for rank-stabilised LoRA. */
    public static double scaling(double alpha, int rank, boolean rslora) {
        return rslora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    // ---- fields -----------------------------------------------------------------------------------------

    public int r() {
        return r;
    }

    public double loraAlpha() {
        return loraAlpha;
    }

    public boolean useRslora() {
        return useRslora;
    }

    public boolean hasRankPattern() {
        return !rankPattern.isEmpty();
    }

    public boolean hasAlphaPattern() {
        return !alphaPattern.isEmpty();
    }

    /**
     * target_modules as listed; a single string (PEFT's full-match regex form) is a one-element list, and an
     * absent or null field an empty one.
     */
    public List<String> targetModules() {
        return targetModules;
    }

    public boolean fanInFanOut() {
        return fanInFanOut;
    }

    public Optional<String> baseModelNameOrPath() {
        return Optional.ofNullable(baseModelNameOrPath);
    }

    public Optional<String> peftType() {
        return Optional.ofNullable(peftType);
    }

    /** Where the config came from, for messages. */
    public String source() {
        return where;
    }

    /** A copy of the whole JSON object as read. */
    public ObjectNode raw() {
        return raw.deepCopy();
    }

    // ---- the merged adapter's config ---------------------------------------------------------------------

    /**
     * The config of a merged adapter whose modules have the given ranks, built so that PEFT loads every module
     * with scaling 1 (the merge has folded all scalings into the factors): r = lora_alpha = the most common rank,
     * use_rslora false, and rank_pattern/alpha_pattern empty — except for modules whose rank differs from r, which
     * get an exact-name entry with alpha equal to their rank. Every other field is kept.
     */
    public ObjectNode mergedJson(Map<String, Integer> rankByModule) {
        if (rankByModule.isEmpty()) throw new IllegalArgumentException("a merged adapter needs at least one module");
        int rank = mostCommonRank(rankByModule);
        ObjectNode merged = raw.deepCopy();
        merged.put("r", rank);
        merged.put("lora_alpha", rank);
        merged.put("use_rslora", false);
        ObjectNode ranks = merged.putObject("rank_pattern");
        ObjectNode alphas = merged.putObject("alpha_pattern");
        new TreeMap<>(rankByModule).forEach((module, moduleRank) -> {
            if (moduleRank != rank) {
                ranks.put(ModulePatterns.exactKey(module), moduleRank);
                alphas.put(ModulePatterns.exactKey(module), moduleRank);
            }
        });
        return merged;
    }

    /** The most frequent rank; ties go to the larger rank so that the choice does not depend on map order. */
    private static int mostCommonRank(Map<String, Integer> rankByModule) {
        Map<Integer, Integer> counts = new TreeMap<>(Collections.reverseOrder());
        rankByModule.values().forEach(rank -> counts.merge(rank, 1, Integer::sum));
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /** Writes a config object as pretty-printed JSON. */
    public static void write(ObjectNode config, Path file) throws IOException {
        byte[] json = JSON.mapper().writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(config);
        Files.write(file, json);
    }

    // ---- validation helpers ----------------------------------------------------------------------------

    private int positiveInt(JsonNode node, String field) {
        if (node == null || node.isNull()) throw new InputException(where, "missing " + field);
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 1) {
            throw new InputException(where, field + " must be a positive integer, found " + describe(node));
        }
        return node.intValue();
    }

    private double finiteNumber(JsonNode node, String field) {
        if (node == null || node.isNull()) throw new InputException(where, "missing " + field);
        if (!node.isNumber() || !Double.isFinite(node.doubleValue())) {
            throw new InputException(where, field + " must be a finite number, found " + describe(node));
        }
        return node.doubleValue();
    }

    private boolean optionalBoolean(String field) {
        JsonNode node = raw.get(field);
        if (node == null || node.isNull()) return false;
        if (!node.isBoolean()) throw new InputException(where, field + " must be true or false, found " + describe(node));
        return node.booleanValue();
    }

    /**
     * LoRA variants whose factors do not mean ΔW = s·B·A with A r × in and B out × r: merging them as ordinary
     * LoRAs gives a silently wrong update, so they are refused. Absent, null, false and empty mean "not used".
     */
    private void refuseVariant(String field, String what) {
        JsonNode node = raw.get(field);
        boolean unused = node == null || node.isNull() || (node.isBoolean() && !node.booleanValue())
                || (node.isContainerNode() && node.isEmpty());
        if (!unused) {
            throw new InputException(where, field + " is " + describe(node) + ": " + what + "; Amalgam merges "
                    + "plain LoRA adapters only");
        }
    }

    private String optionalText(String field) {
        JsonNode node = raw.get(field);
        if (node == null || node.isNull()) return null;
        if (!node.isTextual()) throw new InputException(where, field + " must be a string, found " + describe(node));
        return node.textValue();
    }

    private List<String> targetModules(JsonNode node) {
        if (node == null || node.isNull()) return List.of();
        if (node.isTextual()) return List.of(node.textValue());
        if (!node.isArray()) {
            throw new InputException(where, "target_modules must be a string or a list of strings, found "
                    + describe(node));
        }
        List<String> modules = new ArrayList<>(node.size());
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw new InputException(where, "target_modules must contain strings, found " + describe(item));
            }
            modules.add(item.textValue());
        }
        return List.copyOf(modules);
    }

    private void forEachPattern(String field, java.util.function.BiConsumer<String, JsonNode> action) {
        JsonNode node = raw.get(field);
        if (node == null || node.isNull()) return;
        if (!node.isObject()) throw new InputException(where, field + " must be an object, found " + describe(node));
        node.properties().forEach(e -> action.accept(e.getKey(), e.getValue()));
    }

    /** A JSON value for an error message, kept short. */
    private static String describe(JsonNode node) {
        String text = node.toString();
        return node.getNodeType().name().toLowerCase() + " " + (text.length() > 60 ? text.substring(0, 60) + "…" : text);
    }
}
