package amalgam.merge.adaptive;

import amalgam.engine.Tensor;

/**
 * The objectives a user can choose by name ({@code --objective}), as {@code StandardOpenOption} is to
 * {@code OpenOption}: tests and callers may still pass any other {@link Objective}.
 */
public enum StandardObjective implements Objective {
    /** Cross-entropy against the buffer's labels: the study's choice. */
    CROSS_ENTROPY("cross-entropy", Objective.crossEntropy()),
    /** AdaMerging's mean prediction entropy: label-free. */
    ENTROPY("entropy", Objective.entropy());

    private final String cliName;
    private final Objective objective;

    StandardObjective(String cliName, Objective objective) {
        this.cliName = cliName;
        this.objective = objective;
    }

    /** The name used on the command line and in the JSON results. */
    public String cliName() {
        return cliName;
    }

    @Override
    public Tensor loss(Tensor logits, int[] labels) {
        return objective.loss(logits, labels);
    }

    public static StandardObjective parse(String name) {
        for (StandardObjective o : values()) if (o.cliName.equals(name)) return o;
        throw new IllegalArgumentException("expected cross-entropy or entropy, got '" + name + "'");
    }
}
