package dev.lycoris4j.bench;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.train.estimate.ModelArchitecture;
import dev.lycoris4j.train.network.NetworkConfig;
import dev.lycoris4j.train.network.NetworkPlan;
import dev.lycoris4j.train.network.NetworkPreset;
import dev.lycoris4j.train.network.PlannedModule;
import dev.lycoris4j.train.trainer.Optimizer;
import dev.lycoris4j.train.trainer.OptimizerConfig;
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

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One optimizer step over about four million fp32 parameters, AdamW (libtorch's native, 32-bit moments) against
 * AdamW8bit (blockwise-quantised moments: dequantise, update, quantise again), with their state bytes. Shapes:
 * {@code 64x256x256} is 64 tensors of 65,536 values (all quantised); {@code lora8} is 512 LoRA-like pairs [8, 512]
 * and [512, 8] of 4,096 values (the threshold: all quantised, 16 blocks each); {@code sd15-lora8-attn} is the
 * tensors of the LyCORIS paper's SD1.5 LoRA attention dim 8 run, taken from the adapters built on the meta SD1.5
 * (2,184,192 values in 352 tensors, 70 of them under 4,096 values and so at 32 bits).
 *
 * <p>{@code java -jar bench/target/benchmarks.jar OptimizerStepBench} runs it under JMH's defaults;
 * {@code java -cp bench/target/benchmarks.jar dev.lycoris4j.bench.OptimizerStepBench [iterations]} runs a short pass
 * and prints ms per step, the 8-bit/32-bit time ratio per shape and the state bytes ({@code -Dbench.threads=N} pins
 * libtorch's threads).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class OptimizerStepBench {

    @Param({"64x256x256", "lora8", "sd15-lora8-attn"})
    public String shape;

    @Param({"AdamW", "AdamW8bit"})
    public String optimizer;

    private Optimizer opt;

    @Setup(Level.Trial)
    public void setup() {
        int threads = Integer.getInteger("bench.threads", 0);
        if (threads > 0) torch.set_num_threads(threads);
        torch.manual_seed(0);
        opt = create(shapes(shape), OptimizerConfig.Type.parse(optimizer));
    }

    static List<long[]> shapes(String shape) {
        List<long[]> out = new ArrayList<>();
        switch (shape) {
            case "64x256x256" -> {
                for (int i = 0; i < 64; i++) out.add(new long[] {256, 256});
            }
            case "lora8" -> {
                for (int i = 0; i < 512; i++) {
                    out.add(new long[] {8, 512});
                    out.add(new long[] {512, 8});
                }
            }
            case "sd15-lora8-attn" -> {
                AdapterConfig lora = AdapterConfig.builder(Algorithm.LORA, 8, 1).build();
                for (PlannedModule m : NetworkPlan.of(ModelArchitecture.sd15().buildMeta(), NetworkConfig.of(lora, NetworkPreset.ATTN_ONLY))) {
                    try (StepScope ignored = new StepScope()) {
                        for (Tensor t : m.createAdapter().parameters()) out.add(Tensors.shape(t));
                    }
                }
            }
            default -> throw new IllegalArgumentException(shape);
        }
        return out;
    }

    /** Parameters of {@code shapes} with gradients (kept: the steps reuse them), under optimizer {@code type}. */
    static Optimizer create(List<long[]> shapes, OptimizerConfig.Type type) {
        List<Tensor> params = new ArrayList<>();
        for (long[] s : shapes) {
            Tensor p = torch.randn(s).mul(new Scalar(0.02)).requires_grad_(true);
            torch.randn(s).mul(p).sum().backward();
            params.add(p);
        }
        return Optimizer.create(List.of(new Optimizer.Group("all", params, 1e-4)),
                OptimizerConfig.torchDefaults(1e-4).withType(type));
    }

    @Benchmark
    public long step() {
        try (StepScope ignored = new StepScope()) {
            opt.step();
        }
        return opt.parameters().size();
    }

    /** Short pass (few iterations: shared CPUs) printing mean ms, the 8-bit/32-bit ratio and the state bytes. */
    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(OptimizerStepBench.class.getName() + ".step")
                .warmupIterations(1).warmupTime(TimeValue.seconds(2))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(3))
                .forks(1).jvmArgsAppend("--enable-native-access=ALL-UNNAMED",
                        "-Dbench.threads=" + Integer.getInteger("bench.threads", 0)).build()).run();
        Map<String, Map<String, Double>> ms = new LinkedHashMap<>();
        for (RunResult r : results) {
            ms.computeIfAbsent(r.getParams().getParam("shape"), k -> new LinkedHashMap<>())
                    .put(r.getParams().getParam("optimizer"), r.getPrimaryResult().getScore());
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-12s %12s %12s %14s %14s %10s%n", "shape", "values", "optimizer", "ms/step",
                "state bytes", "ratio");
        for (var e : ms.entrySet()) {
            List<long[]> shapes = shapes(e.getKey());
            long values = 0;
            for (long[] s : shapes) values += Tensors.numel(s);
            double adamW = e.getValue().getOrDefault("AdamW", Double.NaN);
            for (var v : e.getValue().entrySet()) {
                long bytes;
                try (StepScope ignored = new StepScope()) {
                    bytes = create(shapes, OptimizerConfig.Type.parse(v.getKey())).stateBytes();
                }
                System.out.printf(Locale.ROOT, "%-12s %,12d %12s %14.2f %,14d %10.2f%n", e.getKey(), values, v.getKey(),
                        v.getValue(), bytes, v.getValue() / adamW);
            }
        }
    }
}
