package amalgam.merge.cli;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.kernels.Backend;
import amalgam.kernels.WorkerPool;
import amalgam.merge.algorithms.ComputeContext;

/**
 * One command's compute: the worker pool of {@code --threads}, the {@code --backend} over it for the merge
 * algorithms ({@link #context()}), and the same backend as the engine's for the scope's life, so a model's
 * forward and backward and a merge inside the command run on what the user chose. Closing it puts the engine
 * back as it was (commands run one after another in tests) and stops the pool.
 */
public final class ComputeScope implements AutoCloseable {

    private final WorkerPool pool;
    private final ComputeContext context;
    private final Backend previous;
    private final String previousGemm;

    ComputeScope(ComputeOptions options) {
        this.pool = options.pool();
        try {
            this.context = options.context(pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        this.previous = Engine.backend(DType.F32);
        this.previousGemm = Engine.f32GemmName();
        Engine.useBackend(context.backend(), options.backend);
    }

    public WorkerPool pool() {
        return pool;
    }

    /** The backend and pool for the merge algorithms. */
    public ComputeContext context() {
        return context;
    }

    @Override
    public void close() {
        Engine.useBackend(previous, previousGemm);
        pool.close();
    }
}
