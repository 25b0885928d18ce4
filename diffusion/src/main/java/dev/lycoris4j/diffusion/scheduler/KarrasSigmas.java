package dev.lycoris4j.diffusion.scheduler;

/**
 * The noise levels of Karras et al. 2022 (eq. 5, ρ = 7) between a schedule's smallest and largest σ, and the
 * inverse map from a σ back to a fractional training timestep, both in float64 as diffusers does in numpy.
 */
final class KarrasSigmas {
    private static final double RHO = 7.0;

    private KarrasSigmas() {}

    /** σ_i = (σ_max^(1/ρ) + i/(n−1)·(σ_min^(1/ρ) − σ_max^(1/ρ)))^ρ for i = 0 … n−1, descending. */
    static double[] between(double sigmaMin, double sigmaMax, int n) {
        double[] ramp = NumpyCompat.linspace(0, 1, n);
        double minInvRho = Math.pow(sigmaMin, 1 / RHO);
        double maxInvRho = Math.pow(sigmaMax, 1 / RHO);
        double[] sigmas = new double[n];
        for (int i = 0; i < n; i++) sigmas[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), RHO);
        return sigmas;
    }

    /**
     * The training timestep whose σ is {@code sigma}: linear interpolation in log σ between the two bracketing
     * entries of {@code logSigmas} (float32 logs of the ascending training σ table), clamped to the table.
     */
    static double timestepOf(double sigma, float[] logSigmas) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        // diffusers takes the argmax of the running count of table entries <= log σ: the first index at which
        // that count peaks, i.e. the last bracketing entry, or 0 when there is none.
        int count = 0;
        int peak = -1;
        int low = 0;
        for (int i = 0; i < logSigmas.length; i++) {
            if (logSigma - logSigmas[i] >= 0) count++;
            if (count > peak) {
                peak = count;
                low = i;
            }
        }
        low = Math.min(low, logSigmas.length - 2);
        int high = low + 1;
        double lowLog = logSigmas[low];
        double highLog = logSigmas[high];
        double w = Math.clamp((lowLog - logSigma) / (lowLog - highLog), 0.0, 1.0);
        return (1 - w) * low + w * high;
    }
}
