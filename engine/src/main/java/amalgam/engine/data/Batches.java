package amalgam.engine.data;

import java.util.Random;

/** Index batches over a dataset, reshuffled every epoch from a seeded generator; the last partial batch is kept. */
public final class Batches {

    private final int[] order;
    private final int batchSize;
    private final Random random;
    private int position;

    public Batches(int size, int batchSize, long seed) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        this.order = new int[size];
        for (int i = 0; i < size; i++) order[i] = i;
        this.batchSize = batchSize;
        this.random = new Random(seed);
        shuffle();
    }

    /** The indices of the next batch; a new epoch (freshly shuffled) starts after the last one. */
    public int[] next() {
        if (position >= order.length) {
            shuffle();
            position = 0;
        }
        int n = Math.min(batchSize, order.length - position);
        int[] batch = new int[n];
        System.arraycopy(order, position, batch, 0, n);
        position += n;
        return batch;
    }

    /** Batches per epoch. */
    public int perEpoch() {
        return (order.length + batchSize - 1) / batchSize;
    }

    private void shuffle() {
        for (int i = order.length - 1; i > 0; i--) { // Fisher–Yates
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
