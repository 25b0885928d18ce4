package dev.lycoris4j.bench;

import dev.lycoris4j.adapters.AdapterChain;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.memory.ProcessMemory;
import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.diffusion.model.Architectures;
import dev.lycoris4j.diffusion.unet.UNet2DConditionModel;
import dev.lycoris4j.train.network.LycorisNetwork;
import dev.lycoris4j.train.network.NetworkComponent;
import dev.lycoris4j.train.network.NetworkConfig;
import dev.lycoris4j.train.network.NetworkPreset;
import dev.lycoris4j.train.trainer.AdamWOptimizer;
import dev.lycoris4j.train.trainer.OptimizerConfig;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Training steps of the full SD1.5 UNet (random fp32 weights, frozen) with the trainer's default network (LoRA
 * dim 4 alpha 1, preset {@code full}: every Linear and conv of the attention and resnet blocks) at batch 1, with and
 * without gradient checkpointing: seconds per step (forward, MSE loss, backward, AdamW step) and peak resident
 * memory. Each mode runs in a JVM of its own, so its peak (VmHWM) is its own; the driver reports both and their
 * ratios.
 *
 * <p>The adapters run as the trainer runs them, {@code merged} (each layer computes with W + ΔW, LyCORIS' default
 * forward: weight-sized temporaries per layer, which the plain graph keeps for backward), or {@code bypass}
 * (W·x + Δ(x), kohya's LoRA forward: then the activations are what checkpointing saves).
 *
 * <p>Run: {@code scripts/bench-checkpointing [latent side, default 32] [timed steps, default 3] [merged|bypass]}.
 */
public final class GradientCheckpointingBench {
    private static final List<String> MODES = List.of("plain", "checkpointed");
    private static final long MIB = 1L << 20;

    private GradientCheckpointingBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && MODES.contains(args[0])) {
            phase(args[0].equals("checkpointed"), Integer.parseInt(args[1]), Integer.parseInt(args[2]), args[3].equals("bypass"));
            return;
        }
        int latent = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String forward = args.length > 2 ? args[2] : "merged";
        if (!forward.equals("merged") && !forward.equals("bypass")) throw new IllegalArgumentException("merged or bypass, got " + forward);
        System.out.printf(Locale.ROOT, "SD1.5 UNet, LoRA dim 4 (preset full, %s), batch 1, %d×%d latents (%d px), fp32, "
                + "%d threads, 1 warm-up + %d timed steps per mode%n", forward, latent, latent, latent * 8, torch.get_num_threads(), steps);
        Map<String, Map<String, Double>> results = new HashMap<>();
        for (String mode : MODES) {
            Map<String, Double> r = child(List.of(mode, Integer.toString(latent), Integer.toString(steps), forward));
            results.put(mode, r);
            System.out.printf(Locale.ROOT, "%-12s %7.2f s/step (median)  peak RSS %6.0f MiB = %5.0f before the steps + %5.0f MiB%n",
                    mode, r.get("median_s"), r.get("peak") / MIB, r.get("baseline") / MIB, (r.get("peak") - r.get("baseline")) / MIB);
        }
        Map<String, Double> p = results.get("plain");
        Map<String, Double> c = results.get("checkpointed");
        System.out.printf(Locale.ROOT, "checkpointed / plain: time %.2f×, peak RSS %.2f×, memory above the weights %.2f×%n",
                c.get("median_s") / p.get("median_s"), c.get("peak") / p.get("peak"),
                (c.get("peak") - c.get("baseline")) / (p.get("peak") - p.get("baseline")));
    }

    /** Runs one mode in a fresh JVM on this classpath and parses its {@code key=value} result line. */
    private static Map<String, Double> child(List<String> args) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xss8m", "-Xmx1g",
                "-Dorg.bytedeco.javacpp.maxBytes=0", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0",
                "-cp", System.getProperty("java.class.path"), GradientCheckpointingBench.class.getName()));
        command.addAll(args);
        String mode = args.getFirst();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (var reader = p.inputReader()) {
            for (String line; (line = reader.readLine()) != null; ) lines.add(line);
        }
        if (p.waitFor() != 0) throw new IllegalStateException(mode + " failed:\n" + String.join("\n", lines));
        String result = lines.stream().filter(l -> l.startsWith("result ")).findFirst()
                .orElseThrow(() -> new IllegalStateException(mode + " printed no result:\n" + String.join("\n", lines)));
        Map<String, Double> values = new HashMap<>();
        for (String kv : result.substring("result ".length()).split(" ")) {
            String[] parts = kv.split("=");
            values.put(parts[0], Double.parseDouble(parts[1]));
        }
        return values;
    }

    /** One mode: builds the model, then times the steps; the peak counter is reset once the weights exist. */
    private static void phase(boolean checkpointed, int latent, int steps, boolean bypass) {
        torch.manual_seed(0);
        UNet2DConditionModel unet = new UNet2DConditionModel(Architectures.sd15Unet(), Placement.cpu());
        unet.requiresGrad(false);
        LycorisNetwork network = LycorisNetwork.create(NetworkComponent.kohya(List.of(), unet, false),
                NetworkConfig.of(AdapterConfig.builder(Algorithm.LORA, 4, 1).build(), NetworkPreset.FULL));
        network.applyTo();
        network.setTraining(true);
        for (LycorisNetwork.WrappedLayer m : network.modules()) AdapterChain.attach(m.plan().layer()).setBypass(bypass);
        unet.setGradientCheckpointing(checkpointed);
        AdamWOptimizer optimizer = new AdamWOptimizer(List.of(new AdamWOptimizer.Group("unet", network.unetParameters(), 1e-4)),
                OptimizerConfig.torchDefaults(1e-4));
        Tensor latents = torch.randn(1, 4, latent, latent);
        Tensor noise = torch.randn(1, 4, latent, latent);
        Tensor context = torch.randn(1, 77, 768);
        Tensor t = torch.full(new long[] {1}, new Scalar(500), new TensorOptions(torch.ScalarType.Long));

        long baseline = ProcessMemory.residentBytes();
        if (!ProcessMemory.resetPeak()) throw new IllegalStateException("cannot reset the peak-RSS counter (/proc/self/clear_refs)");
        double[] seconds = new double[steps];
        for (int i = -1; i < steps; i++) {
            long t0 = System.nanoTime();
            try (StepScope step = new StepScope()) {
                optimizer.zeroGrad();
                Tensor loss = torch.mse_loss(unet.forward(latents, t, context), noise);
                loss.backward();
                optimizer.step();
                loss.item_double();
            }
            if (i >= 0) seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "result median_s=%.4f baseline=%d peak=%d%n", sorted[steps / 2], baseline, ProcessMemory.peakResidentBytes());
    }
}
