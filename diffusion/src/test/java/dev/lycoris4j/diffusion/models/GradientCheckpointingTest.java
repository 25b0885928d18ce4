package dev.lycoris4j.diffusion.models;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterChain;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.nn.AdaptableLayer;
import dev.lycoris4j.core.nn.ConvNd;
import dev.lycoris4j.core.nn.Linear;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.diffusion.blocks.ResnetBlock2D;
import dev.lycoris4j.diffusion.blocks.Transformer2DModel;
import dev.lycoris4j.diffusion.load.Weights;
import dev.lycoris4j.diffusion.text.ClipTextConfig;
import dev.lycoris4j.diffusion.text.ClipTextModel;
import dev.lycoris4j.diffusion.unet.UNet2DConditionModel;
import dev.lycoris4j.diffusion.unet.UNetConfig;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The tiny golden SD1.5 UNet and CLIP text encoder with and without gradient checkpointing: the loss and every
 * gradient agree, for the model's own parameters and for LoRA/LoCon adapters with dropouts, which draw the same
 * random numbers in the recomputation. The recomputation repeats the forward exactly; only where an input's gradient
 * is summed from inside and outside a segment does the order of fp32 additions change (differences ~2e-7 of the
 * largest gradient), so the tolerance is 1e-5 relative plus 1e-5 of the largest gradient.
 */
class GradientCheckpointingTest {
    private static final Path UNET = Golden.path("sd/sd15_tiny/unet");
    private static final Path TEXT = Golden.path("sd/sd15_tiny/text_encoder");
    private static final long SEED = 11;

    @BeforeAll
    static void oneThread() {
        // The tiny model gains nothing from intra-op threads; the comparison does not depend on their number.
        torch.set_num_threads(1);
    }

    /** One step's loss and the gradient of every trainable tensor, copied out of the step. */
    record Result(double loss, Map<String, Tensor> grads) {}

    private static UNet2DConditionModel unet() {
        UNet2DConditionModel unet = new UNet2DConditionModel(UNetConfig.read(UNET.resolve("config.json")), Placement.cpu());
        Weights.load(unet, UNET.resolve("diffusion_pytorch_model.safetensors"));
        return unet;
    }

    private static ClipTextModel textEncoder() {
        ClipTextModel te = new ClipTextModel(ClipTextConfig.read(TEXT.resolve("config.json")), Placement.cpu());
        Weights.load(te, TEXT.resolve("model.safetensors"));
        return te;
    }

    /**
     * Seeds the generator, runs {@code loss} and its backward in a step and copies out the gradients of
     * {@code trainables} (null where a tensor got none).
     */
    private static Result step(long seed, Map<String, Tensor> trainables, Supplier<Tensor> loss) {
        torch.manual_seed(seed);
        try (StepScope step = new StepScope()) {
            Tensor l = loss.get();
            l.backward();
            Map<String, Tensor> grads = new LinkedHashMap<>();
            for (var e : trainables.entrySet()) {
                Tensor g = e.getValue().grad();
                grads.put(e.getKey(), g.defined() ? StepScope.keep(g.clone()) : null);
            }
            return new Result(l.item_double(), grads);
        }
    }

    private static void assertSameResult(Result checkpointed, Result plain) {
        assertThat(checkpointed.loss()).isCloseTo(plain.loss(), within(1e-6 * Math.abs(plain.loss())));
        assertThat(checkpointed.grads().keySet()).isEqualTo(plain.grads().keySet());
        int compared = 0;
        boolean exact = true;
        double global = 0;
        for (Tensor e : plain.grads().values()) if (e != null) global = Math.max(global, e.abs().max().item_double());
        for (String k : plain.grads().keySet()) {
            Tensor e = plain.grads().get(k);
            Tensor a = checkpointed.grads().get(k);
            if (e == null) {
                assertThat(a).as(k + " gets no gradient either way").isNull();
                continue;
            }
            // Against the largest gradient of all: a conv bias followed by a GroupNorm has a gradient that is 0 in
            // exact arithmetic, fp32 rounding noise in practice, which another summation order changes completely.
            assertClose(k, a, e, 1e-5 * global, 1e-5);
            exact &= torch.equal(a, e);
            compared++;
        }
        assertThat(compared).isPositive();
        System.out.printf("%d gradients with and without checkpointing: %s%n", compared,
                exact ? "bit-identical" : "equal within 1e-5 of the largest entry");
    }

    private static int segments(Module m) {
        int n = 0;
        for (Module c : m.namedModules().values()) if (c instanceof ResnetBlock2D || c instanceof Transformer2DModel) n++;
        return n;
    }

    @Test
    void unetLossAndEveryGradientAgreeWithAndWithoutCheckpointing() throws Exception {
        Result[] results = new Result[2];
        for (int run = 0; run < 2; run++) {
            UNet2DConditionModel unet = unet();
            unet.train(true);
            if (run == 1) {
                unet.setGradientCheckpointing(true);
                assertThat(segments(unet)).as("resnets and transformers of the down, mid and up blocks").isEqualTo(18);
            }
            try (SafetensorsFile io = SafetensorsFile.open(Golden.path("sd/unet_sd15_io.safetensors"))) {
                Tensor sample = io.tensor("sample");
                Tensor timestep = io.tensor("timestep");
                // The context requires grad as a trained text encoder's output does: its gradient is compared too.
                Tensor context = StepScope.keep(io.tensor("encoder_hidden_states").clone().requires_grad_(true));
                Map<String, Tensor> trainables = new LinkedHashMap<>(unet.namedParameters());
                trainables.put("encoder_hidden_states", context);
                torch.manual_seed(5);
                Tensor weights = torch.randn(sample.sizes());
                results[run] = step(SEED, trainables, () -> unet.forward(sample, timestep, context).mul(weights).sum());
            }
        }
        assertSameResult(results[1], results[0]);
    }

    @Test
    void unetAdaptersWithDropoutsGetTheSameGradients() throws Exception {
        AdapterConfig lora = AdapterConfig.builder(Algorithm.LORA, 2, 1).dropout(0.2).rankDropout(0.3).moduleDropout(0.1).build();
        // Runs: plain, checkpointed, plain with other random numbers (which must change the loss: the dropouts act).
        Result[] results = new Result[3];
        for (int run = 0; run < 3; run++) {
            UNet2DConditionModel unet = unet();
            unet.requiresGrad(false);
            unet.setGradientCheckpointing(run == 1);
            Map<String, Tensor> trainables = attach(unet, lora);
            try (SafetensorsFile io = SafetensorsFile.open(Golden.path("sd/unet_sd15_io.safetensors"))) {
                Tensor sample = io.tensor("sample");
                Tensor timestep = io.tensor("timestep");
                Tensor context = io.tensor("encoder_hidden_states");
                torch.manual_seed(5);
                Tensor weights = torch.randn(sample.sizes());
                results[run] = step(run == 2 ? SEED + 1 : SEED, trainables,
                        () -> unet.forward(sample, timestep, context).mul(weights).sum());
            }
        }
        assertSameResult(results[1], results[0]);
        assertThat(results[2].loss()).isNotEqualTo(results[0].loss());
    }

    @Test
    void textEncoderGradientsAgreeAndAnUnusedLastLayerIsNotRecomputed() throws Exception {
        Result[] results = new Result[2];
        for (int run = 0; run < 2; run++) {
            ClipTextModel te = textEncoder();
            te.train(true);
            te.setGradientCheckpointing(run == 1);
            try (SafetensorsFile io = SafetensorsFile.open(Golden.path("sd/clip_text_io.safetensors"))) {
                Tensor ids = io.tensor("te1_input_ids");
                torch.manual_seed(5);
                Tensor weights = torch.randn(ids.size(0), ids.size(1), te.config().hiddenSize());
                // Clip skip 2: the last layer's output never reaches the loss, its parameters get no gradient.
                results[run] = step(SEED, te.namedParameters(), () -> te.forward(ids).fromEndNormed(2).mul(weights).sum());
            }
        }
        assertThat(results[0].grads().entrySet()).anyMatch(e -> e.getValue() == null);
        assertSameResult(results[1], results[0]);
    }

    /**
     * Installs a freshly made adapter (LoRA on Linear layers, LoCon on convolutions) in every such layer, gives every
     * factor a random value (a fresh LoRA's zero up-factor would leave the down-factor without gradient) and
     * switches dropouts on; returns the adapters' trainable tensors by layer path.
     */
    private static Map<String, Tensor> attach(Module model, AdapterConfig config) {
        torch.manual_seed(3);
        Map<String, Tensor> trainables = new LinkedHashMap<>();
        for (var e : model.namedModules().entrySet()) {
            if (!(e.getValue() instanceof Linear || e.getValue() instanceof ConvNd)) continue;
            AdaptableLayer layer = (AdaptableLayer) e.getValue();
            Adapter adapter = AdapterFormats.create(e.getKey().replace('.', '_'), layer.spec(), config, layer.weight());
            adapter.setTraining(true);
            List<Tensor> params = adapter.parameters();
            try (NoGrad ignored = new NoGrad()) {
                for (Tensor p : params) p.copy_(torch.randn(p.sizes()).mul(new Scalar(0.1)));
            }
            for (int i = 0; i < params.size(); i++) trainables.put(e.getKey() + "." + i, params.get(i));
            AdapterChain.attach(layer).add(adapter, 1.0);
        }
        assertThat(trainables).isNotEmpty();
        return trainables;
    }
}
