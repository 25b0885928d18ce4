package dev.lycoris4j.core.memory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The requirement: 2,000 training steps (forward, backward, native AdamW), each in a
 * {@link StepScope}, leave resident memory where it was after 200 warm-up steps.
 *
 * <p>The loop runs in a child JVM so that RSS measures native memory only: its Java heap is fixed and
 * pre-touched (a growing or newly touched heap would otherwise read as a leak), and JavaCPP's
 * garbage-collector-driven freeing is off, so only the scopes can free anything: a leak cannot hide behind
 * a lucky GC. The negative control runs the same loop without scopes and must be caught.
 */
class NativeMemoryStabilityTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path tempDir;

    private Map<String, Double> runProbe(int steps, int warmup, String mode) throws IOException, InterruptedException {
        Path log = tempDir.resolve(mode + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java,
                "-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch",
                "-Dorg.bytedeco.javacpp.noPointerGC=true",
                "-Dorg.bytedeco.javacpp.maxBytes=0", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0",
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                TrainingLoopProbe.class.getName(), Integer.toString(steps), Integer.toString(warmup), mode))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // A guard against a hung child on a badly overloaded machine, not a performance limit.
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("probe did not finish: " + Files.readString(log));
        }
        String output = Files.readString(log);
        assertThat(p.exitValue()).as(output).isZero();
        String result = output.lines().filter(l -> l.startsWith("rss_after_warmup=")).findFirst()
                .orElseThrow(() -> new AssertionError("probe printed no result:\n" + output));
        Map<String, Double> values = new HashMap<>();
        for (String kv : result.split(" ")) {
            String[] parts = kv.split("=");
            values.put(parts[0], Double.parseDouble(parts[1]));
        }
        System.out.printf("%s, %d steps: RSS %.1f MiB after %d warm-up steps, growth %.2f MiB; mean loss %.4f -> %.4f%n",
                mode, steps, values.get("rss_after_warmup") / MIB, warmup,
                (values.get("rss_end") - values.get("rss_after_warmup")) / MIB,
                values.get("loss_first"), values.get("loss_last"));
        return values;
    }

    @Test
    void twoThousandScopedTrainingStepsDoNotGrowResidentMemory() throws Exception {
        Map<String, Double> r = runProbe(2000, 200, "scoped");
        assertThat(r.get("loss_last")).as("parameters were updated in place across scopes")
                .isLessThan(r.get("loss_first") / 2);
        assertThat(r.get("rss_end") - r.get("rss_after_warmup")).as("RSS growth in bytes").isLessThan(20.0 * MIB);
    }

    @Test
    void twoThousandCheckpointedTrainingStepsDoNotGrowResidentMemory() throws Exception {
        // Hooks, generator states, recomputed activations and returned gradients all belong to the step.
        Map<String, Double> r = runProbe(2000, 200, "checkpointed");
        assertThat(r.get("loss_last")).isLessThan(r.get("loss_first") / 2);
        assertThat(r.get("rss_end") - r.get("rss_after_warmup")).as("RSS growth in bytes").isLessThan(20.0 * MIB);
    }

    @Test
    void withoutScopesTheSameLoopIsCaughtLeaking() throws Exception {
        // A step's temporaries (activations, autograd graph, loss) come to about 130 KiB: 300 steps exceed the bound.
        Map<String, Double> r = runProbe(400, 100, "unscoped");
        assertThat(r.get("rss_end") - r.get("rss_after_warmup")).isGreaterThan(20.0 * MIB);
    }
}
