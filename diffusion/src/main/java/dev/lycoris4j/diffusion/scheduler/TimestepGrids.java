package dev.lycoris4j.diffusion.scheduler;

/**
 * The integer timestep grids of diffusers' {@code set_timesteps}, descending (first denoising step first).
 * Rounding is numpy's round-half-to-even ({@link Math#rint}).
 */
final class TimestepGrids {
    private TimestepGrids() {}

    /** {@code (arange(count) * ratio)[::-1] + offset}: the 'leading' grid. */
    static long[] leading(int count, int ratio, int offset) {
        long[] t = new long[count];
        for (int i = 0; i < count; i++) t[i] = (long) (count - 1 - i) * ratio + offset;
        return t;
    }

    /**
     * {@code round(arange(numTrain, 0, -numTrain / steps)) - 1}: the 'trailing' grid. numpy sizes that range as
     * ceil(numTrain / (numTrain / steps)), which float rounding pushes to steps + 1 for some counts (61, 103,
     * …), appending a timestep of −1 that diffusers then indexes from the end of its tables; we keep exactly
     * {@code steps} entries.
     */
    static long[] trailing(int numTrain, int steps) {
        double step = -(double) numTrain / steps;
        long[] t = new long[steps];
        for (int i = 0; i < steps; i++) t[i] = (long) Math.rint(NumpyCompat.arangeElement(numTrain, step, i)) - 1;
        return t;
    }

    /** {@code round(linspace(0, stop, count))[::-1]}: the 'linspace' grid of integer-timestep samplers. */
    static long[] linspaceRounded(double stop, int count) {
        double[] grid = NumpyCompat.linspace(0, stop, count);
        long[] t = new long[count];
        for (int i = 0; i < count; i++) t[i] = (long) Math.rint(grid[count - 1 - i]);
        return t;
    }
}
