package amalgam.engine.tokenize;

import java.util.PriorityQueue;

/**
 * Merges the symbols of one word by merge rank, lowest rank first and leftmost first among equals, as the
 * reference does: a linked list of symbols and a queue of candidate pairs, where a candidate whose pair has
 * changed since it was queued is skipped when it surfaces.
 */
final class BpeWord {

    /** The merge table: the rank of a pair of ids and the id it merges into. */
    interface Merges {
        /** The rank of merging {@code left} then {@code right}, or -1 where no merge joins them. */
        int rank(int left, int right);

        int mergedId(int rank);
    }

    private BpeWord() {}

    static int[] merge(int[] symbols, Merges merges) {
        int n = symbols.length;
        if (n < 2) return symbols;
        int[] ids = symbols.clone();
        int[] prev = new int[n];
        int[] next = new int[n];
        boolean[] removed = new boolean[n];
        // A candidate is rank << 32 | position, so the natural order of longs is rank first, then position.
        PriorityQueue<Long> queue = new PriorityQueue<>();
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            if (i + 1 < n) offer(queue, merges, ids[i], ids[i + 1], i);
        }
        int alive = n;
        while (!queue.isEmpty()) {
            long top = queue.poll();
            int rank = (int) (top >>> 32);
            int pos = (int) top;
            if (removed[pos] || next[pos] < 0) continue;
            int right = next[pos];
            if (merges.rank(ids[pos], ids[right]) != rank) continue;
            ids[pos] = merges.mergedId(rank);
            removed[right] = true;
            alive--;
            next[pos] = next[right];
            if (next[pos] >= 0) prev[next[pos]] = pos;
            if (prev[pos] >= 0) offer(queue, merges, ids[prev[pos]], ids[pos], prev[pos]);
            if (next[pos] >= 0) offer(queue, merges, ids[pos], ids[next[pos]], pos);
        }
        int[] out = new int[alive];
        for (int i = 0, k = 0; i < n; i++) if (!removed[i]) out[k++] = ids[i];
        return out;
    }

    private static void offer(PriorityQueue<Long> queue, Merges merges, int left, int right, int pos) {
        int rank = merges.rank(left, right);
        if (rank >= 0) queue.add(((long) rank << 32) | pos);
    }
}
