package dev.lycoris4j.train.trainer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lycoris4j.core.safetensors.SafetensorsException;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.safetensors.SafetensorsWriter;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a run needs to continue exactly where it stopped, in one safetensors file written atomically
 * ({@code state/state.safetensors}): the adapter tensors ({@code adapter.<key>}, fp32), libtorch's CPU generator
 * state ({@code rng.cpu}, the noise and timestep draws), the optimizer's archive ({@code optimizer}, libtorch's own
 * serialisation: AdamW's per-parameter exp_avg, exp_avg_sq and step, or AdamW8bit's uint8 codes, fp32 absmaxes,
 * fp32 moments of its small tensors and steps, {@link Optimizer#saveState}), and in the metadata the position
 * (optimizer step, epoch, batch within the epoch), the seed from which every Java-side random choice is derived
 * ({@link dev.lycoris4j.train.data.Seeds}, so positions are all the Java RNGs need) and the run's arguments, and
 * with fp16 the loss scaler's state ({@code loss_scale}, {@code loss_scale_growth_tracker},
 * {@code loss_scale_skipped_steps}).
 *
 * @param step         optimizer steps done
 * @param epoch        the epoch the next batch belongs to (0-based)
 * @param batchInEpoch index of the next batch within that epoch
 * @param lossScale    the fp16 loss scaler's state, or null without loss scaling
 */
public record TrainState(long step, int epoch, int batchInEpoch, long seed, Map<String, String> args,
                         Map<String, Tensor> adapter, Tensor rng, byte[] optimizer, GradScaler.State lossScale) {

    static final String FORMAT = "lycoris4j-train-state-1";
    private static final String ADAPTER_PREFIX = "adapter.";
    private static final String RNG = "rng.cpu";
    private static final String OPTIMIZER = "optimizer";
    private static final String LOSS_SCALE = "loss_scale";
    private static final String GROWTH_TRACKER = "loss_scale_growth_tracker";
    private static final String SKIPPED_STEPS = "loss_scale_skipped_steps";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a run in {@code outputDir} keeps its state. */
    public static Path file(Path outputDir) {
        return outputDir.resolve("state").resolve("state.safetensors");
    }

    void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : adapter.entrySet()) tensors.put(ADAPTER_PREFIX + e.getKey(), e.getValue());
        tensors.put(RNG, rng);
        tensors.put(OPTIMIZER, bytesTensor(optimizer));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("step", Long.toString(step));
        meta.put("epoch", Integer.toString(epoch));
        meta.put("batch_in_epoch", Integer.toString(batchInEpoch));
        meta.put("seed", Long.toString(seed));
        meta.put("args", JSON.writeValueAsString(new TreeMap<>(args)));
        if (lossScale != null) {
            // Float.toString round-trips a float exactly.
            meta.put(LOSS_SCALE, Float.toString(lossScale.scale()));
            meta.put(GROWTH_TRACKER, Integer.toString(lossScale.growthTracker()));
            meta.put(SKIPPED_STEPS, Long.toString(lossScale.skippedSteps()));
        }
        SafetensorsWriter.write(file, tensors, meta);
    }

    public static TrainState read(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, String> meta = f.metadata();
            if (!FORMAT.equals(meta.get("format"))) {
                throw new IllegalArgumentException(file + " is not a lycoris4j training state (format " + meta.get("format") + ")");
            }
            Map<String, Tensor> adapter = new LinkedHashMap<>();
            for (String name : f.names()) {
                if (name.startsWith(ADAPTER_PREFIX)) adapter.put(name.substring(ADAPTER_PREFIX.length()), f.tensor(name));
            }
            return new TrainState(Long.parseLong(meta.get("step")), Integer.parseInt(meta.get("epoch")),
                    Integer.parseInt(meta.get("batch_in_epoch")), Long.parseLong(meta.get("seed")),
                    JSON.readValue(meta.get("args"), new TypeReference<Map<String, String>>() {}), adapter,
                    f.tensor(RNG), bytesOf(f.tensor(OPTIMIZER)), lossScale(meta));
        } catch (SafetensorsException e) {
            throw new IllegalArgumentException("cannot read the training state: " + e.getMessage(), e);
        } catch (JsonProcessingException | NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException(file + ": damaged training state metadata (" + e.getMessage() + ")", e);
        }
    }

    private static GradScaler.State lossScale(Map<String, String> meta) {
        if (!meta.containsKey(LOSS_SCALE)) return null;
        return new GradScaler.State(Float.parseFloat(meta.get(LOSS_SCALE)), Integer.parseInt(meta.get(GROWTH_TRACKER)),
                Long.parseLong(meta.get(SKIPPED_STEPS)));
    }

    /** Only the arguments of the run that wrote {@code file} (for {@code --resume}). */
    public static Map<String, String> readArgs(Path file) {
        String args = metadata(file).get("args");
        try {
            return JSON.readValue(args, new TypeReference<Map<String, String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": damaged training state metadata (" + e.getMessage() + ")", e);
        }
    }

    /** Only the optimizer steps done by the run that wrote {@code file} (how far it got), without its tensors. */
    public static long readStep(Path file) {
        String step = metadata(file).get("step");
        try {
            return Long.parseLong(step);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": damaged training state metadata (step '" + step + "')", e);
        }
    }

    /** The metadata of a state file, checked to be one of ours and to hold the run's arguments. */
    private static Map<String, String> metadata(Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no training state to resume: " + file + " not found");
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, String> meta = f.metadata();
            if (!FORMAT.equals(meta.get("format")) || meta.get("args") == null) {
                throw new IllegalArgumentException(file + " is not a lycoris4j training state");
            }
            return meta;
        } catch (SafetensorsException e) {
            throw new IllegalArgumentException("cannot read the training state: " + e.getMessage(), e);
        }
    }

    private static Tensor bytesTensor(byte[] bytes) {
        try (BytePointer p = new BytePointer(bytes)) {
            return torch.from_blob(p, new long[] {bytes.length}, Tensors.options(DType.U8)).clone();
        }
    }

    private static byte[] bytesOf(Tensor t) {
        Tensor c = t.contiguous();
        return MemorySegment.ofAddress(c.data_ptr().address()).reinterpret(c.nbytes()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }
}
