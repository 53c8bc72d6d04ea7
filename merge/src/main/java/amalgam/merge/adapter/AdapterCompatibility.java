package amalgam.merge.adapter;

import static amalgam.engine.InputException.quote;

import amalgam.engine.InputException;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks that adapters can be merged module by module: a module adapted by several of them must be the same kind
 * of layer with the same in/out features in each. A module some adapters lack is allowed — PEFT's weighted merge
 * treats it as a zero update there — so the result is the union of module names.
 */
public final class AdapterCompatibility {

    private AdapterCompatibility() {}

    /** The sorted union of module names; an {@link InputException} names both adapters and the module on conflict. */
    public static SortedSet<String> moduleUnion(List<LoraAdapter> adapters) {
        Map<String, LoraModule> first = new TreeMap<>();
        Map<String, LoraAdapter> firstOwner = new TreeMap<>();
        for (LoraAdapter adapter : adapters) {
            for (LoraModule m : adapter.modules()) {
                LoraModule seen = first.putIfAbsent(m.name(), m);
                if (seen == null) {
                    firstOwner.put(m.name(), adapter);
                } else if (seen.kind() != m.kind() || seen.inFeatures() != m.inFeatures()
                        || seen.outFeatures() != m.outFeatures()) {
                    throw new InputException(adapter.directory().toString(), "module " + quote(m.name()) + " is "
                            + describe(m) + " but " + describe(seen) + " in " + firstOwner.get(m.name()).directory()
                            + "; these adapters were trained on different base models");
                }
            }
        }
        return new TreeSet<>(first.keySet());
    }

    private static String describe(LoraModule m) {
        return m.kind().name().toLowerCase() + " " + m.outFeatures() + "x" + m.inFeatures();
    }
}
