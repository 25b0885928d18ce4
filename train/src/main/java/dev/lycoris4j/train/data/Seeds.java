package dev.lycoris4j.train.data;

/**
 * Derives independent seeds from the run's seed and a position (an epoch, a batch), so every random choice of the
 * data pipeline is a pure function of (seed, position): a resumed run makes exactly the choices the uninterrupted
 * run made, with no generator state to save.
 */
public final class Seeds {
    private Seeds() {}

    /** SplitMix64's finaliser over the seed and each part in turn: distinct positions give unrelated seeds. */
    public static long mix(long seed, long... parts) {
        long h = scramble(seed);
        for (long p : parts) h = scramble(h ^ scramble(p + 0x9E3779B97F4A7C15L));
        return h;
    }

    private static long scramble(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
