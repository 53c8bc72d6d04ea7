package amalgam.merge.adapter;

import static amalgam.engine.InputException.quote;

import amalgam.engine.InputException;
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

    /**
     * Keys that need a compiled regular expression. A compiled key costs kilobytes, so a hostile config of many tiny
     * regex keys would cost hundreds of times its size; hand-written regex keys number a handful. Plain module
     * names (the usual key, and every key Amalgam writes) are matched as text and not counted.
     */
    static final int MAX_REGEX_KEYS = 1000;
    /** Letters, digits and '_' in segments joined by escaped dots: a key that can only match itself. */
    private static final Pattern LITERAL_KEY = Pattern.compile("\\w+(\\\\\\.\\w+)*");

    /**
     * One key of the map: {@code literal} is the module-name suffix a plain key stands for (null when the key needs
     * {@code regex}, compiled once).
     */
    record Entry<V>(String key, String literal, Pattern regex, V value) {

        /** PEFT's rule: the key matches a whole trailing run of dot-separated segments of the module name. */
        boolean matches(String module) {
            if (regex != null) return regex.matcher(module).matches();
            int prefix = module.length() - literal.length();
            return module.endsWith(literal) && (prefix == 0 || module.charAt(prefix - 1) == '.');
        }
    }

    private final List<Entry<V>> entries = new ArrayList<>();
    private int regexKeys;

    /** Adds {@code key} (in config order); {@code where} names the config field in errors. */
    void add(String key, V value, String where) {
        if (LITERAL_KEY.matcher(key).matches()) {
            entries.add(new Entry<>(key, key.replace("\\.", "."), null, value));
            return;
        }
        if (++regexKeys > MAX_REGEX_KEYS) {
            throw new InputException(where, "more than " + MAX_REGEX_KEYS + " regular-expression keys; list module "
                    + "names instead");
        }
        try {
            entries.add(new Entry<>(key, null, Pattern.compile("(.*\\.)?(" + key + ")$"), value));
        } catch (PatternSyntaxException e) {
            throw new InputException(where, "key " + quote(key) + " is not a valid regular expression: "
                    + e.getDescription());
        }
    }

    /** The first entry whose key matches {@code module}, as PEFT chooses it. */
    Optional<Entry<V>> lookup(String module) {
        for (Entry<V> entry : entries) {
            if (entry.matches(module)) return Optional.of(entry);
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
