package dev.lycoris4j.bench;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.nn.NoGrad;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Training-step cost of an adapter relative to its plain layer: forward + backward (input gradient, and the
 * adapter's parameter gradients) of LoRA r8, LoHa r4 and LoKr factor 8 with a full w2, in merged mode
 * (materialise ΔW, run the layer once) and bypass mode (through the factors). The base weight is frozen and
 * the input requires a gradient, as inside a network being fine-tuned.
 *
 * <p>{@code java -jar bench/target/benchmarks.jar AdapterOverheadBench} runs it under JMH's defaults;
 * {@code java -cp bench/target/benchmarks.jar dev.lycoris4j.bench.AdapterOverheadBench [iterations]} runs a
 * short pass and prints the table of ratios to the plain layer ({@code -Dbench.threads=N} pins libtorch's threads).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class AdapterOverheadBench {

    /** Linear 320→320 on 2×4096 tokens, Linear 1280→1280 on 2×64 tokens, Conv 3×3 640→640 on 2×640×32×32. */
    @Param({"linear320x8192", "linear1280x128", "conv3x3_640_32x32"})
    public String shape;

    @Param({"plain", "lora-merged", "lora-bypass", "loha-merged", "loha-bypass", "lokr-merged", "lokr-bypass"})
    public String variant;

    private LayerSpec layer;
    private Tensor weight, bias, x;
    private Adapter adapter;
    private boolean bypass;

    @Setup(Level.Trial)
    public void setup() {
        // -Dbench.threads=N pins libtorch's intra-op threads: on a shared, oversubscribed machine one thread
        // avoids OpenMP barrier stalls that otherwise swamp small ops.
        int threads = Integer.getInteger("bench.threads", 0);
        if (threads > 0) torch.set_num_threads(threads);
        torch.manual_seed(0);
        layer = switch (shape) {
            case "linear320x8192" -> new LayerSpec.Linear(320, 320);
            case "linear1280x128" -> new LayerSpec.Linear(1280, 1280);
            case "conv3x3_640_32x32" -> new LayerSpec.Conv(640, 640, new long[] {3, 3}, new long[] {1, 1},
                    new long[] {1, 1}, new long[] {1, 1}, 1);
            default -> throw new IllegalArgumentException(shape);
        };
        x = switch (shape) {
            case "linear320x8192" -> torch.randn(2, 4096, 320);
            case "linear1280x128" -> torch.randn(2, 64, 1280);
            default -> torch.randn(2, 640, 32, 32);
        };
        x.requires_grad_(true);
        weight = torch.randn(layer.weightShape()).mul(new Scalar(0.02));
        bias = torch.zeros(layer.weightShape()[0]);
        bypass = variant.endsWith("-bypass");
        adapter = switch (variant.split("-")[0]) {
            case "plain" -> null;
            case "lora" -> create(AdapterConfig.builder(Algorithm.LORA, 8, 8).build());
            case "loha" -> create(AdapterConfig.builder(Algorithm.LOHA, 4, 4).build());
            case "lokr" -> create(AdapterConfig.builder(Algorithm.LOKR, 8, 8).factor(8).fullMatrix(true).build());
            default -> throw new IllegalArgumentException(variant);
        };
    }

    private Adapter create(AdapterConfig c) {
        Adapter a = AdapterFormats.create("bench", layer, c, weight);
        try (NoGrad ignored = new NoGrad()) {
            for (Tensor p : a.parameters()) p.normal_(0, 0.02, new GeneratorOptional());
        }
        a.setTraining(true);
        return a;
    }

    @Benchmark
    public double forwardBackward() {
        try (PointerScope ignored = new PointerScope()) {
            Tensor y;
            if (adapter == null) y = layer.apply(x, weight, bias);
            else if (bypass) y = adapter.bypassForward(x, layer.apply(x, weight, bias), weight, bias, 1.0);
            else y = adapter.forward(x, weight, bias, 1.0);
            Tensor loss = y.mean();
            loss.backward();
            return loss.item_double();
        }
    }

    /** Short pass (few iterations: shared CPUs) printing mean ms and the ratio to the plain layer per shape. */
    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(AdapterOverheadBench.class.getName() + ".forwardBackward")
                .warmupIterations(1).warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(2))
                .forks(1).jvmArgsAppend("--enable-native-access=ALL-UNNAMED",
                        "-Dbench.threads=" + Integer.getInteger("bench.threads", 0)).build()).run();
        Map<String, Map<String, Double>> ms = new LinkedHashMap<>();
        for (RunResult r : results) {
            Map<String, String> p = new LinkedHashMap<>();
            for (String k : r.getParams().getParamsKeys()) p.put(k, r.getParams().getParam(k));
            ms.computeIfAbsent(p.get("shape"), k -> new LinkedHashMap<>())
                    .put(p.get("variant"), r.getPrimaryResult().getScore());
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-20s %-12s %10s %8s%n", "shape", "variant", "ms", "ratio");
        for (var e : ms.entrySet()) {
            double plain = e.getValue().getOrDefault("plain", Double.NaN);
            for (var v : e.getValue().entrySet()) {
                System.out.printf(Locale.ROOT, "%-20s %-12s %10.2f %8.2f%n", e.getKey(), v.getKey(), v.getValue(),
                        v.getValue() / plain);
            }
        }
    }
}
