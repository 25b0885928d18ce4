package dev.lycoris4j.cli;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.io.AdapterWriter;
import dev.lycoris4j.adapters.io.ModulePrefix;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.safetensors.SafetensorsWriter;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The example {@code lycoris demo} builds: a tiny SD-like checkpoint (a text-encoder and a UNet part, with
 * the diffusers/HF module names kohya adapters refer to), a LoRA on every Linear/Conv (saved in fp16, as
 * kohya usually does) and a LoKr on the UNet's (saved in fp32). Every value comes from one seeded Java
 * random stream, so the same seed gives the same files on every machine.
 */
final class DemoExample {
    private DemoExample() {}

    /** One layer of the tiny checkpoint. */
    private record Layer(String path, long[] weightShape, boolean hasBias) {
        LayerSpec spec() {
            return weightShape.length == 2 ? new LayerSpec.Linear(weightShape[1], weightShape[0])
                    : LayerSpec.Conv.ofWeightShape(weightShape);
        }

        boolean isUnet() {
            return path.startsWith("unet.");
        }

        /** The kohya module name: prefix by component, then the path inside the component. */
        String moduleName() {
            return isUnet() ? ModulePrefix.UNET.moduleName(path.substring("unet.".length()))
                    : ModulePrefix.TEXT_ENCODER.moduleName(path.substring("text_encoder.".length()));
        }
    }

    private static final List<Layer> LAYERS = List.of(
            new Layer("text_encoder.text_model.encoder.layers.0.self_attn.q_proj", new long[] {16, 16}, true),
            new Layer("text_encoder.text_model.encoder.layers.0.mlp.fc1", new long[] {32, 16}, true),
            new Layer("unet.conv_in", new long[] {8, 4, 3, 3}, true),
            new Layer("unet.down_blocks.0.attentions.0.proj_in", new long[] {8, 8, 1, 1}, true),
            new Layer("unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q", new long[] {8, 8}, false),
            new Layer("unet.down_blocks.0.attentions.0.transformer_blocks.0.ff.net.2", new long[] {8, 32}, true));

    /** A norm the adapters leave alone: the merge must copy it byte for byte. */
    private static final Layer NORM = new Layer("unet.down_blocks.0.attentions.0.norm", new long[] {8}, true);

    /** The files written, and how many layers each adapter covers. */
    record Written(Path base, Path lora, Path lokr, int baseTensors, int loraModules, int lokrModules) {}

    static Written build(Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> base = new LinkedHashMap<>();
        for (Layer layer : LAYERS) {
            base.put(layer.path() + ".weight", gaussian(random, 0.2, layer.weightShape()));
            if (layer.hasBias()) base.put(layer.path() + ".bias", gaussian(random, 0.02, layer.weightShape()[0]));
        }
        base.put(NORM.path() + ".weight", gaussian(random, 0.1, NORM.weightShape()).add(new Scalar(1)));
        base.put(NORM.path() + ".bias", gaussian(random, 0.02, NORM.weightShape()));
        Path basePath = dir.resolve("base.safetensors");
        SafetensorsWriter.write(basePath, base, Map.of("lycoris4j_demo", "tiny SD-like checkpoint, seed " + seed));

        Map<String, Tensor> lora = new LinkedHashMap<>();
        Map<String, Tensor> lokr = new LinkedHashMap<>();
        int lokrModules = 0;
        for (Layer layer : LAYERS) {
            Tensor weight = base.get(layer.path() + ".weight");
            boolean bigKernel = layer.weightShape().length > 2 && layer.weightShape()[2] > 1;
            AdapterConfig loraConfig = bigKernel ? AdapterConfig.builder(Algorithm.LORA, 2, 1).build()
                    : AdapterConfig.builder(Algorithm.LORA, 4, 2).build();
            addTo(lora, randomized(random, AdapterFormats.create(layer.moduleName(), layer.spec(), loraConfig, weight)));
            if (layer.isUnet()) {
                AdapterConfig lokrConfig = AdapterConfig.builder(Algorithm.LOKR, 2, 2).factor(4).build();
                addTo(lokr, randomized(random, AdapterFormats.create(layer.moduleName(), layer.spec(), lokrConfig, weight)));
                lokrModules++;
            }
        }
        Path loraPath = dir.resolve("lora.safetensors");
        Path lokrPath = dir.resolve("lokr.safetensors");
        AdapterWriter.write(loraPath, lora, metadata("lora", 4, 2, seed), DType.F16);
        AdapterWriter.write(lokrPath, lokr, metadata("lokr", 2, 2, seed), DType.F32);
        return new Written(basePath, loraPath, lokrPath, base.size(), LAYERS.size(), lokrModules);
    }

    /** Fresh adapters start with a zero factor (ΔW = 0); the demo fills every factor so the merge shows. */
    private static Adapter randomized(SplittableRandom random, Adapter adapter) {
        try (NoGrad noGrad = new NoGrad()) {
            for (Tensor p : adapter.parameters()) p.copy_(gaussian(random, 0.1, Tensors.shape(p)));
        }
        return adapter;
    }

    private static void addTo(Map<String, Tensor> stateDict, Adapter adapter) {
        for (Map.Entry<String, Tensor> e : adapter.stateDict().entrySet()) {
            stateDict.put(adapter.name() + "." + e.getKey(), e.getValue());
        }
    }

    private static Map<String, String> metadata(String algo, int dim, double alpha, long seed) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ss_network_module", "lycoris.kohya");
        m.put("ss_network_dim", String.valueOf(dim));
        m.put("ss_network_alpha", String.valueOf(alpha));
        m.put("ss_network_args", "{\"algo\": \"" + algo + "\"}");
        m.put("lycoris4j_demo_seed", String.valueOf(seed));
        return m;
    }

    private static Tensor gaussian(SplittableRandom random, double std, long... shape) {
        float[] v = new float[Math.toIntExact(Tensors.numel(shape))];
        for (int i = 0; i < v.length; i++) v[i] = (float) (random.nextGaussian() * std);
        return Tensors.fromFloats(v, shape);
    }
}
