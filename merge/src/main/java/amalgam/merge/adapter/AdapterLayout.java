package amalgam.merge.adapter;

import static amalgam.engine.InputException.quote;

import amalgam.engine.InputException;
import amalgam.engine.io.SafetensorsFile;
import amalgam.engine.io.TensorInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The modules and leftover tensors found in a weights file, checked against each other and the config. */
record AdapterLayout(Map<String, LoraModule> modules, List<String> extraTensors) {

    static AdapterLayout of(SafetensorsFile weights, AdapterConfig config) {
        String file = weights.path().toString();
        Map<String, FactorPair> pairs = new TreeMap<>();
        List<String> extra = new ArrayList<>();
        for (TensorInfo tensor : weights.tensors()) {
            LoraKey key = LoraKey.parse(tensor.name(), file);
            if (key == null) {
                extra.add(tensor.name());
                continue;
            }
            FactorPair pair = pairs.computeIfAbsent(key.module(), m -> new FactorPair(key.kind()));
            if (pair.kind != key.kind()) {
                throw new InputException(file + ": module " + quote(key.module()), "has both Linear (lora_A/lora_B) "
                        + "and Embedding (lora_embedding_A/B) factors");
            }
            if (key.isA()) pair.a = tensor;
            else pair.b = tensor;
        }
        if (pairs.isEmpty()) {
            throw new InputException(file, "no LoRA tensors (expected keys like " + LoraModule.KEY_PREFIX
                    + "<module>.lora_A.weight)");
        }
        Map<String, LoraModule> modules = new TreeMap<>();
        pairs.forEach((name, pair) -> modules.put(name, pair.toModule(name, file, config)));
        return new AdapterLayout(modules, List.copyOf(extra));
    }

    /** The two factors of one module as they turn up while scanning the file. */
    private static final class FactorPair {
        final LoraModule.Kind kind;
        TensorInfo a;
        TensorInfo b;

        FactorPair(LoraModule.Kind kind) {
            this.kind = kind;
        }

        LoraModule toModule(String name, String file, AdapterConfig config) {
            String where = file + ": module " + quote(name);
            String aName = kind == LoraModule.Kind.LINEAR ? "lora_A" : "lora_embedding_A";
            String bName = kind == LoraModule.Kind.LINEAR ? "lora_B" : "lora_embedding_B";
            if (b == null) throw new InputException(where, "has " + aName + " but no " + bName);
            if (a == null) throw new InputException(where, "has " + bName + " but no " + aName);
            requireMatrix(a, file);
            requireMatrix(b, file);
            if (a.dim(0) != b.dim(1)) {
                throw new InputException(where, aName + " " + a.shapeString() + " and " + bName + " " + b.shapeString()
                        + " disagree on the rank (" + a.dim(0) + " vs " + b.dim(1) + ")");
            }
            if (a.dim(0) > Integer.MAX_VALUE) throw new InputException(where, "rank " + a.dim(0) + " is absurd");
            int rank = (int) a.dim(0);
            int expected = config.rankFor(name);
            if (rank != expected) {
                String source = config.rankPatternKeyFor(name)
                        .map(key -> "rank_pattern " + quote(key) + " gives " + expected)
                        .orElse("r is " + expected);
                throw new InputException(config.source(), source + " but module " + quote(name) + " has rank " + rank
                        + " in " + file + " (" + aName + " " + a.shapeString() + "); fix r or add a rank_pattern entry");
            }
            return new LoraModule(name, kind, rank, a.dim(1), b.dim(0), config.scalingFor(name, rank), a.dtype());
        }

        private static void requireMatrix(TensorInfo t, String file) {
            if (t.rank() != 2) {
                throw new InputException(file + ": tensor " + quote(t.name()), "has shape " + t.shapeString()
                        + "; only 2-D LoRA factors (Linear and Embedding layers) are supported");
            }
        }
    }
}
