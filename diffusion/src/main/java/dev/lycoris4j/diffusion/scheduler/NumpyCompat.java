package dev.lycoris4j.diffusion.scheduler;

/**
 * The few numpy float64 routines diffusers' schedulers run, with numpy's exact operation order, so that our
 * timesteps and sigmas come out bit-identical rather than merely close.
 */
final class NumpyCompat {
    private NumpyCompat() {}

    /** {@code numpy.linspace(start, stop, num)}: i·step + start, the last element set to stop exactly. */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) y[i] = i * step + start;
        y[num - 1] = stop;
        return y;
    }

    /**
     * Element i of {@code numpy.arange(start, stop, step)}: numpy fills a float range as start + i·delta with
     * delta re-derived as (start + step) − start, which is not always exactly step.
     */
    static double arangeElement(double start, double step, int i) {
        if (i == 0) return start;
        double delta = (start + step) - start;
        return i == 1 ? start + step : start + i * delta;
    }

    /**
     * {@code numpy.interp(x, arange(fp.length), fp)}: linear interpolation on the unit grid 0, 1, …, n−1,
     * clamped to the end values, in float64 from float32 table values.
     */
    static double interpOnUnitGrid(double x, float[] fp) {
        int last = fp.length - 1;
        if (Double.isNaN(x)) return x;
        if (x >= last) return fp[last];
        if (x <= 0) return fp[0];
        int j = (int) Math.floor(x);
        if (j == x) return fp[j];
        double slope = (double) fp[j + 1] - fp[j]; // divided by the grid spacing, which is 1
        return slope * (x - j) + fp[j];
    }
}
