package amalgam.merge.adapter;

import static amalgam.engine.InputException.quote;

import amalgam.engine.InputException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
     * Character reads one regex match may make: a real key matches a module name in a few hundred, while a key
     * that backtracks catastrophically ({@code ((a+)+)+b}) would run for hours.
     */
    static final long MATCH_BUDGET = 1_000_000;

    /**
     * One key of the map: {@code literal} is the module-name suffix a plain key stands for (null when the key needs
     * {@code regex}, compiled once); {@code order} is its place in the config.
     */
    record Entry<V>(String key, String literal, Pattern regex, V value, int order, String where) {

        /** PEFT's rule: the key matches a whole trailing run of dot-separated segments of the module name. */
        boolean matches(String module) {
            if (regex == null) {
                int prefix = module.length() - literal.length();
                return module.endsWith(literal) && (prefix == 0 || module.charAt(prefix - 1) == '.');
            }
            try {
                return regex.matcher(new BudgetedChars(module, MATCH_BUDGET)).matches();
            } catch (BudgetedChars.Exhausted | StackOverflowError e) {
                throw new InputException(where, "key " + quote(key) + " needs unbounded work to match module "
                        + quote(module) + " (a regular expression that backtracks); list module names instead");
            }
        }
    }

    /** Plain keys by the name suffix they stand for, first in config order; a module looks up its own suffixes. */
    private final Map<String, Entry<V>> literals = new HashMap<>();
    private final List<Entry<V>> regexes = new ArrayList<>();
    private int size;

    /** Adds {@code key} (in config order); {@code where} names the config field in errors. */
    void add(String key, V value, String where) {
        int order = size++;
        if (LITERAL_KEY.matcher(key).matches()) {
            String literal = key.replace("\\.", ".");
            literals.putIfAbsent(literal, new Entry<>(key, literal, null, value, order, where));
            return;
        }
        if (regexes.size() >= MAX_REGEX_KEYS) {
            throw new InputException(where, "more than " + MAX_REGEX_KEYS + " regular-expression keys; list module "
                    + "names instead");
        }
        try {
            regexes.add(new Entry<>(key, null, Pattern.compile("(.*\\.)?(" + key + ")$"), value, order, where));
        } catch (PatternSyntaxException e) {
            throw new InputException(where, "key " + quote(key) + " is not a valid regular expression: "
                    + e.getDescription());
        }
    }

    /**
     * The first entry in config order whose key matches {@code module}, as PEFT chooses it. Plain keys are found by
     * the module's trailing segment runs (one map look-up each), so the work grows with the name, not the map.
     */
    Optional<Entry<V>> lookup(String module) {
        Entry<V> best = null;
        int dot = module.length();
        do {
            dot = module.lastIndexOf('.', dot - 1);
            Entry<V> e = literals.get(module.substring(dot + 1));
            if (e != null && (best == null || e.order() < best.order())) best = e;
        } while (dot >= 0);
        for (Entry<V> entry : regexes) {
            if (best != null && entry.order() > best.order()) break;
            if (entry.matches(module)) return Optional.of(entry);
        }
        return Optional.ofNullable(best);
    }

    boolean isEmpty() {
        return size == 0;
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
