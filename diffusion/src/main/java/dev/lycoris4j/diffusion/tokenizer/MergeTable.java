package dev.lycoris4j.diffusion.tokenizer;

import java.util.Arrays;

/**
 * BPE merge ranks keyed by the pair of symbol ids, in an open-addressing table: the inner loop of BPE looks up every
 * adjacent pair of a word on every merge step, so keys stay unboxed {@code long}s ({@code left << 32 | right}).
 * Immutable once {@link Builder#build()} returns; safe to share between threads.
 */
final class MergeTable {
    static final int ABSENT = -1;
    private static final long EMPTY = -1L; // symbol ids are non-negative, so no packed key equals -1

    private final long[] keys;
    private final int[] ranks;
    private final int[] mergedIds;
    private final int mask;

    private MergeTable(long[] keys, int[] ranks, int[] mergedIds) {
        this.keys = keys;
        this.ranks = ranks;
        this.mergedIds = mergedIds;
        this.mask = keys.length - 1;
    }

    /** Slot of the pair, or {@link #ABSENT}; read its rank and merged symbol with {@link #rankAt}/{@link #mergedIdAt}. */
    int find(int left, int right) {
        long key = pack(left, right);
        for (int slot = hash(key) & mask; ; slot = (slot + 1) & mask) {
            long k = keys[slot];
            if (k == key) return slot;
            if (k == EMPTY) return ABSENT;
        }
    }

    int rankAt(int slot) {
        return ranks[slot];
    }

    int mergedIdAt(int slot) {
        return mergedIds[slot];
    }

    private static long pack(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFF_FFFFL);
    }

    private static int hash(long key) {
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        return (int) (h >>> 32);
    }

    static final class Builder {
        private final long[] keys;
        private final int[] ranks;
        private final int[] mergedIds;
        private final int mask;

        /** @param capacity upper bound on the number of merges that will be added */
        Builder(int capacity) {
            // Load factor at most 1/2 keeps probe sequences short.
            int size = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) * 2;
            keys = new long[size];
            Arrays.fill(keys, EMPTY);
            ranks = new int[size];
            mergedIds = new int[size];
            mask = size - 1;
        }

        /**
         * Adds a merge; a pair that is already present takes the new rank, as Python's
         * {@code dict(zip(merges, range(len(merges))))} keeps the last duplicate.
         */
        void put(int left, int right, int rank, int mergedId) {
            long key = pack(left, right);
            int slot = hash(key) & mask;
            while (keys[slot] != EMPTY && keys[slot] != key) slot = (slot + 1) & mask;
            keys[slot] = key;
            ranks[slot] = rank;
            mergedIds[slot] = mergedId;
        }

        MergeTable build() {
            return new MergeTable(keys, ranks, mergedIds);
        }
    }
}
