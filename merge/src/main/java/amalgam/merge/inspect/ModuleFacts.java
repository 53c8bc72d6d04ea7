package amalgam.merge.inspect;

import amalgam.engine.io.FileDType;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.adapter.LoraNorms;

/**
 * One module of an inspected adapter.
 *
 * @param dtypeA         storage type of lora_A in the file
 * @param dtypeB         storage type of lora_B
 * @param singularValues the singular values of ΔW = scaling·B·A, largest first, {@code rank} of them; empty when
 *                       not asked for or not computable, and then {@code noSpectrum} says why
 * @param noSpectrum     why there is no spectrum although one was asked for, or null
 */
public record ModuleFacts(LoraModule module, FileDType dtypeA, FileDType dtypeB, LoraNorms norms,
                          double[] singularValues, String noSpectrum) {

    public boolean hasSpectrum() {
        return singularValues.length > 0;
    }
}
