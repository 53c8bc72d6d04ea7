package amalgam.merge.adapter;

import static amalgam.merge.InputException.quote;

import amalgam.merge.InputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A {@code rank_pattern} or {@code alpha_pattern} map, looked up the way PEFT looks it up.
 *
 * <p>PEFT ({@code peft.utils.other.get_pattern_key}, used by {@code LoraModel._create_and_replace}) walks the
 * pattern keys in the config's order and takes the first key for which {@code re.match(rf"(.*\.)?({key})$",
 * module_name)} succeeds, where the module name is the path inside the base model (the safetensors key minus its
 * {@code base_model.model.} prefix and {@code .lora_A.weight} suffix). So a key is a regular expression that must
 * match a whole trailing run of dot-separated name segments: {@code q_proj} matches {@code model.layers.0.q_proj}
 * but not {@code model.layers.0.xq_proj}; {@code layers\.0\.q_proj} or the full name match one module; a regex like
 * {@code layers\.[0-3]\..*} matches a range. Older PEFT releases used {@code .*\.{key}$}, which differs only in
 * rejecting a key equal to the full module name; we follow the current behaviour. Keys are compiled as Java
 * regular expressions, which agree with Python's for the syntax such keys use.
 *
 * @param <V> the mapped value (a rank or an alpha)
 */
final class ModulePatterns<V> {

    /** One key of the map, compiled once. */
    record Entry<V>(String key, Pattern regex, V value) {}

    private final List<Entry<V>> entries = new ArrayList<>();

    /** Adds {@code key} (in config order); {@code where} names the config field in errors. */
    void add(String key, V value, String where) {
        try {
            entries.add(new Entry<>(key, Pattern.compile("(.*\\.)?(" + key + ")$"), value));
        } catch (PatternSyntaxException e) {
            throw new InputException(where, "key " + quote(key) + " is not a valid regular expression: "
                    + e.getDescription());
        }
    }

    /** The first entry whose key matches {@code module}, as PEFT chooses it. */
    Optional<Entry<V>> lookup(String module) {
        for (Entry<V> entry : entries) {
            if (entry.regex().matcher(module).matches()) return Optional.of(entry);
        }
        return Optional.empty();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * A key that matches exactly {@code module} under PEFT's rule: the name with every character that is special
     * in a regular expression escaped (module names are letters, digits, '_' and '.').
     */
    static String exactKey(String module) {
        StringBuilder key = new StringBuilder(module.length() + 8);
        for (int i = 0; i < module.length(); i++) {
            char c = module.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_')) key.append('\\');
            key.append(c);
        }
        return key.toString();
    }
}
