package amalgam.kernels.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The param-grad launch reaches every column, below and beyond the block cap (no GPU needed). */
class ColumnTilesTest {

    @Test
    void oneBlockPerTileBelowTheCap() {
        assertEquals(1, ColumnTiles.blocks(1));
        assertEquals(1, ColumnTiles.blocks(32));
        assertEquals(2, ColumnTiles.blocks(33));
        assertEquals(24, ColumnTiles.blocks(768));
        assertEquals(1, ColumnTiles.tilesPerBlock(768));
        assertEquals(1, ColumnTiles.blocks(0), "a launch needs a block even with nothing to do");
    }

    @Test
    void beyondTheCapBlocksStrideOverEveryTile() {
        // The old launch (one thread per column, 65,536 blocks of 256) dropped every column past 16,777,216.
        long cols = 20_000_001L;
        int blocks = ColumnTiles.blocks(cols);
        assertEquals(ColumnTiles.MAX_BLOCKS, blocks);
        long covered = (long) blocks * ColumnTiles.tilesPerBlock(cols) * ColumnTiles.COLUMNS_PER_TILE;
        assertTrue(covered >= cols, covered + " columns covered of " + cols);
        assertEquals(10, ColumnTiles.tilesPerBlock(cols)); // 625,001 tiles over 65,536 blocks
    }
}
