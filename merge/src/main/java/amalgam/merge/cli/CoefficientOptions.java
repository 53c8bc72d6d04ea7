package amalgam.merge.cli;

import amalgam.engine.InputException;
import amalgam.merge.adaptive.CoefficientActivation;
import amalgam.merge.adaptive.CoefficientRecipe;
import amalgam.merge.adaptive.Granularity;
import amalgam.merge.adaptive.StandardObjective;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.util.function.Function;

/**
 * How merge coefficients are learned, all but b_max: {@code --activation}, {@code --granularity}, {@code --scale},
 * {@code --clamp}, {@code --objective}. Shared by {@code train-coefficients}, {@code dil} and {@code demo}, whose
 * defaults are the study's. A bad value is refused while parsing, naming the option.
 */
public final class CoefficientOptions {

    @Option(names = "--activation", paramLabel = "sigmoid|softmax|tanh|none|leaky_relu", defaultValue = "sigmoid", order = 10,
            converter = ActivationConverter.class,
            description = "How raw coefficients c become weights: sigmoid(c) * b, softmax(c) * b (over adapters), "
                    + "tanh(c) * b, none (c itself, as AdaMerging), or leaky_relu (slope 0.01 below 0, starting at 0, "
                    + "as the LoRA-recycling study); none and leaky_relu use neither b nor b_max. "
                    + "Default: ${DEFAULT-VALUE}.")
    CoefficientActivation activation;

    @Option(names = "--granularity", paramLabel = "adapter|module", defaultValue = "adapter", order = 11,
            converter = GranularityConverter.class,
            description = "adapter (one weight each) or module (one per adapter and module). Default: ${DEFAULT-VALUE}.")
    Granularity granularity;

    @Option(names = "--scale", paramLabel = "learned|fixed", defaultValue = "learned", order = 12,
            converter = ScaleConverter.class,
            description = "learned (beta trained) or fixed (b = 1 + (b_max - 1) * sigmoid(b_max)). "
                    + "Default: ${DEFAULT-VALUE}.")
    Scale scale;

    @Option(names = "--clamp", order = 13, description = "With --activation none: keep coefficients in [0, 1].")
    boolean clamp;

    @Option(names = "--objective", paramLabel = "cross-entropy|entropy", defaultValue = "cross-entropy", order = 14,
            converter = ObjectiveConverter.class,
            description = "cross-entropy, or entropy (AdaMerging, label-free). Default: ${DEFAULT-VALUE}.")
    StandardObjective objective;

    /** The chosen settings; each b_max turns them into one run's settings. */
    public CoefficientRecipe recipe() {
        // Only raw coefficients are clamped; a --clamp that would do nothing is more likely a mistake than a wish.
        if (clamp && activation != CoefficientActivation.NONE) {
            throw new InputException("--clamp", "only --activation none clamps its coefficients, not "
                    + activation.cliName() + "; add --activation none or drop --clamp");
        }
        return new CoefficientRecipe(activation, granularity, scale == Scale.LEARNED, clamp, objective);
    }

    static final class ActivationConverter implements ITypeConverter<CoefficientActivation> {
        @Override
        public CoefficientActivation convert(String value) {
            return parse(value, CoefficientActivation::parse);
        }
    }

    static final class GranularityConverter implements ITypeConverter<Granularity> {
        @Override
        public Granularity convert(String value) {
            return parse(value, Granularity::parse);
        }
    }

    static final class ObjectiveConverter implements ITypeConverter<StandardObjective> {
        @Override
        public StandardObjective convert(String value) {
            return parse(value, StandardObjective::parse);
        }
    }

    /** {@code --scale}: whether β, and so b, is trained. */
    enum Scale { LEARNED, FIXED }

    static final class ScaleConverter implements ITypeConverter<Scale> {
        @Override
        public Scale convert(String value) {
            return switch (value) {
                case "learned" -> Scale.LEARNED;
                case "fixed" -> Scale.FIXED;
                default -> throw new TypeConversionException("expected learned or fixed, got '" + value + "'");
            };
        }
    }

    /** Picocli prefixes a {@link TypeConversionException}'s message with the option; others it reports as a crash. */
    private static <T> T parse(String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
