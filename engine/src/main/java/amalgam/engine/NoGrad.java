package amalgam.engine;

/**
 * A scope in which ops record no graph (inference, optimiser updates, backward passes):
 * {@code try (var g = Engine.noGrad()) { ... }}. Restores the previous mode on close, so scopes nest.
 */
public final class NoGrad implements AutoCloseable {

    private final Context context;
    private final boolean previous;

    NoGrad(Context context) {
        this.context = context;
        this.previous = context.gradEnabled;
        context.gradEnabled = false;
    }

    @Override
    public void close() {
        context.gradEnabled = previous;
    }
}
