package dev.lycoris4j.train.trainer;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.diffusion.load.SdLoader;
import dev.lycoris4j.diffusion.model.StableDiffusion;
import dev.lycoris4j.diffusion.scheduler.NoiseSchedule;
import dev.lycoris4j.diffusion.scheduler.PredictionType;
import dev.lycoris4j.train.network.LycorisNetwork;
import dev.lycoris4j.train.network.NetworkConfig;
import dev.lycoris4j.train.network.NetworkPreset;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Back-propagated adapter gradients against central differences of the loss, on an fp64 copy of the golden tiny
 * model, through the text encoder and the UNet.
 */
class GradientCheckTest {

    @Test
    void adapterGradientsMatchCentralDifferences() {
        // One thread: the tiny model's ops gain nothing from more, and the check needs no speed from them.
        torch.set_num_threads(1);
        torch.set_default_dtype(torch.scalarTypeToTypeMeta(torch.ScalarType.Double));
        try {
            StableDiffusion sd = SdLoader.load(Golden.path("sd/sd15_tiny"),
                    SdLoader.Options.defaults().withPlacement(new Placement("cpu", DType.F64)));
            for (Module m : sd.components().values()) m.requiresGrad(false);
            torch.manual_seed(3);
            LycorisNetwork network = LycorisNetwork.create(sd,
                    NetworkConfig.of(AdapterConfig.builder(Algorithm.LORA, 2, 1).build(), NetworkPreset.ATTN_MLP));
            // Fresh LoRAs have lora_up = 0 (so lora_down gets no gradient): give every factor a value.
            try (NoGrad ignored = new NoGrad()) {
                for (Tensor p : network.textEncoderParameters()) p.copy_(torch.randn(p.sizes()).mul(new Scalar(0.1)));
                for (Tensor p : network.unetParameters()) p.copy_(torch.randn(p.sizes()).mul(new Scalar(0.1)));
            }
            network.applyTo();
            DiffusionLoss loss = new DiffusionLoss(sd.unet(), NoiseSchedule.of(sd.scheduler()), PredictionType.EPSILON);
            TextConditioner text = new TextConditioner(sd.tokenizer(), sd.textEncoder(), 1);
            Tensor x0 = torch.randn(1, 4, 8, 8);
            Tensor noise = torch.randn(1, 4, 8, 8);
            Tensor t = Tensors.fromLongs(new long[] {321}, 1);
            DoubleSupplier value = () -> loss.loss(x0, text.encode(List.of("a photo of sks dog")), noise, t, null).item_double();

            loss.loss(x0, text.encode(List.of("a photo of sks dog")), noise, t, null).backward();

            List<Tensor> checked = new ArrayList<>(network.textEncoderParameters().subList(0, 2));
            List<Tensor> unet = network.unetParameters();
            checked.addAll(List.of(unet.get(unet.size() / 2), unet.get(unet.size() / 2 + 1)));
            double h = 1e-6;
            for (Tensor p : checked) {
                assertThat(Tensors.dtype(p)).isEqualTo(DType.F64);
                double[] grad = Tensors.toDoubles(p.grad());
                int i = argmaxAbs(grad);
                Tensor entry = p.view(-1).narrow(0, i, 1);
                double plus;
                double minus;
                try (NoGrad ignored = new NoGrad()) {
                    entry.add_(new Scalar(h));
                    plus = value.getAsDouble();
                    entry.sub_(new Scalar(2 * h));
                    minus = value.getAsDouble();
                    entry.add_(new Scalar(h));
                }
                double numeric = (plus - minus) / (2 * h);
                double relative = Math.abs(numeric - grad[i]) / Math.max(Math.abs(numeric), Math.abs(grad[i]));
                assertThat(Math.abs(grad[i])).isGreaterThan(1e-8);
                assertThat(relative).as("parameter of shape %s, entry %d: autograd %s, numeric %s",
                        Tensors.shapeString(p), i, grad[i], numeric).isLessThan(1e-4);
            }
        } finally {
            torch.set_default_dtype(torch.scalarTypeToTypeMeta(torch.ScalarType.Float));
        }
    }

    private static int argmaxAbs(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (Math.abs(v[i]) > Math.abs(v[best])) best = i;
        return best;
    }
}
