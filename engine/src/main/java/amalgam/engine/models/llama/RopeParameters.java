package amalgam.engine.models.llama;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
import amalgam.engine.hub.JsonConfig;

import java.util.Optional;

/**
 * Rotary embedding settings of a checkpoint and the tables they give. Both config layouts are read:
 * transformers 5's {@code rope_parameters} block (theta inside it) and transformers 4's top-level
 * {@code rope_theta} with an optional {@code rope_scaling} block ({@code type} or {@code rope_type}).
 *
 * <p>Frequencies are computed in float32 step by step as transformers computes them, so the tables agree
 * with its to an ulp or so; the types that change with sequence length (yarn, dynamic, longrope) are refused.
 */
public record RopeParameters(String type, double theta, int dim, double factor, double lowFreqFactor,
        double highFreqFactor, int originalMaxPositions) {

    public static final String SUPPORTED = "default, linear, llama3";

    /** Reads the rope settings of {@code config} for heads of {@code headDim}. */
    public static RopeParameters from(JsonConfig config, int headDim) {
        Optional<JsonConfig> parameters = config.object("rope_parameters");
        JsonConfig block = parameters.or(() -> config.object("rope_scaling")).orElse(null);
        String typeKey = block != null && !block.has("rope_type") && block.has("type") ? "type" : "rope_type";
        String type = block == null ? "default" : block.string(typeKey, "default");
        double theta = block != null && block.has("rope_theta") ? block.positiveNumber("rope_theta", 0)
                : config.positiveNumber("rope_theta", 10000.0);
        for (JsonConfig where : block == null ? new JsonConfig[] {config} : new JsonConfig[] {config, block}) {
            double partial = where.number("partial_rotary_factor", 1.0);
            if (partial != 1.0) {
                throw where.error("partial_rotary_factor", "is " + partial + "; the Llama family rotates whole heads "
                        + "(only 1.0 is supported)");
            }
        }
        return switch (type) {
            case "default" -> new RopeParameters(type, theta, headDim, 1, 0, 0, 0);
            case "linear" -> new RopeParameters(type, theta, headDim, block.number("factor"), 0, 0, 0);
            case "llama3" -> new RopeParameters(type, theta, headDim, block.number("factor"),
                    block.number("low_freq_factor"), block.number("high_freq_factor"),
                    block.positive("original_max_position_embeddings"));
            default -> throw block.error(typeKey, "rope type '" + type + "' is not supported (supported: "
                    + SUPPORTED + ")");
        };
    }

    /** dim/2 inverse frequencies, as transformers' rope init functions compute them (float32). */
    public float[] inverseFrequencies() {
        float[] inv = new float[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / (float) dim;
            inv[i] = 1f / (float) Math.pow((float) theta, exponent);
        }
        switch (type) {
            case "linear" -> {
                for (int i = 0; i < inv.length; i++) inv[i] /= (float) factor;
            }
            case "llama3" -> llama3(inv);
            default -> { }
        }
        return inv;
    }

    /**
     * Llama 3.1's scaling: wavelengths beyond original/low are divided by the factor, those below
     * original/high are kept, and the band between is interpolated (transformers' _compute_llama3_parameters).
     */
    private void llama3(float[] inv) {
        float f = (float) factor, low = (float) lowFreqFactor, high = (float) highFreqFactor;
        float lowWavelength = (float) (originalMaxPositions / lowFreqFactor);
        float highWavelength = (float) (originalMaxPositions / highFreqFactor);
        float band = (float) (highFreqFactor - lowFreqFactor);
        for (int i = 0; i < inv.length; i++) {
            float wavelength = (float) (2 * Math.PI) / inv[i];
            float scaled = wavelength > lowWavelength ? inv[i] / f : inv[i];
            if (!(wavelength < highWavelength) && !(wavelength > lowWavelength)) {
                float smooth = ((float) originalMaxPositions / wavelength - low) / band;
                scaled = (1 - smooth) * scaled / f + smooth * scaled;
            }
            inv[i] = scaled;
        }
    }

    /**
     * cos and sin tables [tokens, dim] for positions start, start+1, …: each frequency written twice (once per
     * half), as {@link amalgam.engine.ops.Rope#rotate} takes them. The angle is rounded to float32 first, as
     * transformers' float32 product of frequency and position is.
     */
    public Tensor[] tables(DType dtype, int start, int tokens) {
        float[] inv = inverseFrequencies();
        int half = inv.length;
        double[] cos = new double[tokens * dim], sin = new double[tokens * dim];
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < half; i++) {
                float angle = inv[i] * (float) (start + t);
                double c = Math.cos(angle), s = Math.sin(angle);
                if (dtype == DType.F32) {
                    c = (float) c;
                    s = (float) s;
                }
                cos[t * dim + i] = cos[t * dim + half + i] = c;
                sin[t * dim + i] = sin[t * dim + half + i] = s;
            }
        }
        return new Tensor[] {Tensor.of(dtype, cos, tokens, dim), Tensor.of(dtype, sin, tokens, dim)};
    }
}
