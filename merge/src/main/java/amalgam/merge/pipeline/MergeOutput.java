package amalgam.merge.pipeline;

import amalgam.merge.adapter.LoraModule;
import amalgam.merge.algorithms.LowRankUpdate;
import java.io.IOException;

/**
 * Where a merge's modules go as they are merged, one at a time: a merged adapter's factors
 * ({@link AdapterOutput}) or a base model's weights with each update folded in ({@link FullModelOutput}).
 * Both write into an {@link amalgam.engine.io.AtomicOutput}'s directory, which the merge commits or discards.
 */
interface MergeOutput extends AutoCloseable {

    /** Writes one module's merged update (scale 1), which lives only until this returns. */
    void write(LoraModule module, LowRankUpdate update) throws IOException;

    /** Completes the output once every module was written. */
    void finish() throws IOException;

    /** Releases open files; after a failure the caller's AtomicOutput discards what was written. */
    @Override
    void close() throws IOException;
}
