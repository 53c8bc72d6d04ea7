package amalgam.merge.pipeline;

/**
 * Which modules a filtered parameter value applies to, as a config's {@code filter:} entries choose them: modules
 * whose name contains {@code namePart} (mergekit's rule: {@code self_attn}, {@code mlp}, {@code q_proj}), and/or
 * whose layer number lies in [{@code fromLayer}, {@code toLayer}) — half-open, like mergekit's
 * {@code layer_range}. The layer number is the first all-digit part of the dotted name
 * ({@code model.layers.3.mlp.up_proj} is layer 3); a module without one matches no layer range.
 *
 * @param namePart  null: any name
 * @param fromLayer null (with toLayer): any layer
 */
public record ModuleFilter(String namePart, Integer fromLayer, Integer toLayer) {

    /** The fallback entry's filter: every module. */
    public static final ModuleFilter ALL = new ModuleFilter(null, null, null);

    public boolean matches(String module) {
        if (namePart != null && !module.contains(namePart)) return false;
        if (fromLayer == null) return true;
        Integer layer = layerOf(module);
        return layer != null && layer >= fromLayer && layer < toLayer;
    }

    public boolean isAll() {
        return namePart == null && fromLayer == null;
    }

    static Integer layerOf(String module) {
        for (String part : module.split("\\.")) {
            if (!part.isEmpty() && part.length() < 10 && part.chars().allMatch(Character::isDigit)) {
                return Integer.parseInt(part);
            }
        }
        return null;
    }
}
