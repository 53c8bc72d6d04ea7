package amalgam.kernels.cuda;

/**
 * Launch geometry of the column-reduction kernel layernorm_param_grads_f32 (native/cuda/layernorm.cu): a
 * block of 256 threads reduces a tile of 32 columns over all rows, and blocks stride over the tiles, so a
 * capped grid still reaches every column.
 */
final class ColumnTiles {

    static final int COLUMNS_PER_TILE = 32;
    static final int BLOCK = 256;
    /** Beyond this many tiles the blocks loop: more would only queue behind the ones already resident. */
    static final int MAX_BLOCKS = 1 << 16;

    private ColumnTiles() {}

    static int tiles(long cols) {
        return (int) Math.min(Integer.MAX_VALUE, (cols + COLUMNS_PER_TILE - 1) / COLUMNS_PER_TILE);
    }

    /** Blocks to launch for {@code cols} columns: one per tile up to the cap, at least one. */
    static int blocks(long cols) {
        return Math.max(1, Math.min(tiles(cols), MAX_BLOCKS));
    }

    /** How many tiles the busiest block reduces (the grid-stride loop's trip count). */
    static int tilesPerBlock(long cols) {
        int blocks = blocks(cols);
        return (tiles(cols) + blocks - 1) / blocks;
    }
}
