package dev.lycoris4j.bench;

import dev.lycoris4j.core.memory.ProcessMemory;
import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.diffusion.model.Architectures;
import dev.lycoris4j.diffusion.unet.UNet2DConditionModel;
import dev.lycoris4j.diffusion.vae.AutoencoderKL;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.Arrays;
import java.util.Locale;

/**
 * One UNet step (classifier-free batch of 2) and one VAE decode of the full SD1.5 architecture at
 * 512×512 with random weights in fp32, reported with their counted FLOPs as a fraction of the fp32
 * matmul rate measured in the same run, and the peak resident memory of each phase.
 *
 * <p>Run: {@code scripts/bench-sd [repeats]}.
 */
public final class SdBench {
    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        torch.manual_seed(0);
        double peak = matmulGflops(repeats);
        System.out.printf(Locale.ROOT, "fp32 matmul 2048³: %.1f GFLOP/s (best of %d)%n", peak, repeats + 1);

        UNet2DConditionModel unet = new UNet2DConditionModel(Architectures.sd15Unet(), Placement.cpu());
        unet.train(false);
        FlopCounter unetFlops = FlopCounter.install(unet);
        Tensor latents = torch.randn(2, 4, 64, 64);
        Tensor context = torch.randn(2, 77, 768);
        Tensor t = torch.full(new long[] {2}, new org.bytedeco.pytorch.Scalar(500),
                new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Long));
        report("UNet step (batch 2, 64×64 latents)", repeats, unetFlops, peak, () -> unet.forward(latents, t, context));

        AutoencoderKL vae = new AutoencoderKL(Architectures.sdVae(), Placement.cpu());
        FlopCounter vaeFlops = FlopCounter.install(vae);
        Tensor z = torch.randn(1, 4, 64, 64);
        report("VAE decode (512×512)", repeats, vaeFlops, peak, () -> vae.decode(z));
    }

    private static void report(String what, int repeats, FlopCounter counter, double peakGflops, java.util.function.Supplier<Tensor> run) {
        double[] seconds = new double[repeats];
        long flops = 0;
        if (!ProcessMemory.resetPeak()) System.out.println("(cannot reset the peak-RSS counter here; peaks include earlier phases)");
        try (NoGrad g = new NoGrad()) {
            for (int i = -1; i < repeats; i++) {
                try (StepScope s = new StepScope()) {
                    long t0 = System.nanoTime();
                    run.get().sum().item_double();
                    long dt = System.nanoTime() - t0;
                    flops = counter.take();
                    if (i >= 0) seconds[i] = dt / 1e9;
                }
            }
        }
        Arrays.sort(seconds);
        double median = seconds[repeats / 2];
        double gflops = flops / 1e9 / median;
        System.out.printf(Locale.ROOT, "%s: median %.2f s of %d, %.1f GFLOP counted, %.1f GFLOP/s = %.0f%% of the matmul rate, "
                + "peak RSS %.2f GiB%n", what, median, repeats, flops / 1e9, gflops, 100 * gflops / peakGflops,
                ProcessMemory.peakResidentBytes() / (double) (1L << 30));
    }

    private static double matmulGflops(int repeats) {
        Tensor a = torch.randn(2048, 2048);
        Tensor b = torch.randn(2048, 2048);
        double best = Double.MAX_VALUE;
        for (int i = 0; i <= repeats; i++) {
            try (StepScope s = new StepScope()) {
                long t0 = System.nanoTime();
                a.matmul(b).sum().item_double();
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
        }
        return 2.0 * 2048 * 2048 * 2048 / 1e9 / best;
    }
}
