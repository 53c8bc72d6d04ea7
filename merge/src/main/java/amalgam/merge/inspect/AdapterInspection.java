package amalgam.merge.inspect;

import static amalgam.engine.InputException.quote;

import amalgam.merge.adapter.AdapterConfig;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.adapter.LoraNorms;
import amalgam.merge.adapter.NaturalOrder;
import amalgam.merge.algorithms.LowRankOps;
import amalgam.merge.pipeline.ModuleUpdates;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * One adapter as {@code inspect} shows it: its config's scaling fields, its weights' types and size, and per
 * module, in natural order, its shape, rank, scaling, storage types, norms and (when asked) the singular values
 * of its update.
 *
 * @param dtypes       the storage types of all factors, sorted by name
 * @param extraTensors tensors that are not LoRA factors (merges copy them)
 * @param warnings     one line each, for stderr: modules whose spectrum could not be computed
 */
public record AdapterInspection(Path directory, AdapterConfig config, List<ModuleFacts> modules, long parameters,
                                List<String> dtypes, List<String> extraTensors, List<String> warnings) {

    /**
     * Measures every module of {@code adapter}. Norms are read in blocks, so any adapter can be inspected;
     * a spectrum loads the module's two factors (O((out + in)·r) memory, one module at a time).
     */
    public static AdapterInspection of(LoraAdapter adapter, boolean spectra) {
        List<LoraModule> sorted = new ArrayList<>(adapter.modules());
        sorted.sort(Comparator.comparing(LoraModule::name, NaturalOrder.INSTANCE));
        List<ModuleFacts> modules = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        TreeSet<String> dtypes = new TreeSet<>();
        long parameters = 0;
        for (LoraModule m : sorted) {
            LoraNorms norms;
            double[] sigma = new double[0];
            String noSpectrum = null;
            try (Arena arena = Arena.ofConfined()) {
                norms = LoraNorms.of(adapter, m, arena);
                if (spectra) {
                    noSpectrum = whyNoSpectrum(m, norms);
                    if (noSpectrum == null) sigma = LowRankOps.singularValues(ModuleUpdates.load(adapter, m, arena));
                    else warnings.add("no singular values for module " + quote(m.name()) + ": " + noSpectrum);
                }
            }
            modules.add(new ModuleFacts(m, adapter.tensorA(m).dtype(), adapter.tensorB(m).dtype(), norms, sigma,
                    noSpectrum));
            dtypes.add(adapter.tensorA(m).dtype().name());
            dtypes.add(adapter.tensorB(m).dtype().name());
            parameters += m.parameterCount();
        }
        return new AdapterInspection(adapter.directory(), adapter.config(), List.copyOf(modules), parameters,
                List.copyOf(dtypes), adapter.extraTensors(), List.copyOf(warnings));
    }

    /** Null when the spectrum can be computed; otherwise the reason, for the user. */
    private static String whyNoSpectrum(LoraModule m, LoraNorms norms) {
        if (!ModuleUpdates.fitsInt(m)) {
            return "it is " + m.outFeatures() + " x " + m.inFeatures() + ", wider than 2^31 - 1";
        }
        // A QR of NaNs is NaN at best; the norms already say the weights are not finite.
        if (!Double.isFinite(norms.delta())) return "its weights are not finite";
        return null;
    }
}
