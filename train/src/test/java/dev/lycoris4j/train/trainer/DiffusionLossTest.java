package dev.lycoris4j.train.trainer;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.diffusion.load.SdLoader;
import dev.lycoris4j.diffusion.model.StableDiffusion;
import dev.lycoris4j.diffusion.scheduler.NoiseSchedule;
import dev.lycoris4j.diffusion.scheduler.PredictionType;
import dev.lycoris4j.train.network.LycorisNetwork;
import dev.lycoris4j.train.network.NetworkConfig;
import dev.lycoris4j.train.network.NetworkPreset;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The loss of eq. 1 on the golden tiny SD1.5 model, against values computed from the golden UNet output. */
class DiffusionLossTest {

    @Test
    void withFreshAdaptersTheLossIsTheMseOfTheGoldenUnetOutput() throws Exception {
        StableDiffusion sd = SdLoader.load(Golden.path("sd/sd15_tiny"), SdLoader.Options.defaults());
        for (Module m : sd.components().values()) m.requiresGrad(false);
        torch.manual_seed(11);
        LycorisNetwork network = LycorisNetwork.create(sd,
                NetworkConfig.of(AdapterConfig.builder(Algorithm.LORA, 4, 1).build(), NetworkPreset.FULL));
        assertThat(network.unetParameters()).isNotEmpty();
        network.applyTo();
        DiffusionLoss loss = new DiffusionLoss(sd.unet(), NoiseSchedule.of(sd.scheduler()), PredictionType.EPSILON);
        try (SafetensorsFile io = SafetensorsFile.open(Golden.path("sd/unet_sd15_io.safetensors"))) {
            Tensor sample = io.tensor("sample");
            Tensor timestep = io.tensor("timestep");
            Tensor context = io.tensor("encoder_hidden_states");
            float[] out = Tensors.toFloats(io.tensor("out"));
            // target: the golden input sample itself (any tensor of the output's shape would do)
            float[] target = Tensors.toFloats(sample);
            Tensor l = loss.predictionLoss(sample, timestep, context, sample, null);
            double expected = 0;
            double bound = 0;
            for (int i = 0; i < out.length; i++) {
                double d = (double) out[i] - target[i];
                expected += d * d;
                // the golden UNet tolerance per element (abs 2e-4, rel 1e-4) carried through (out − target)²
                double e = 2e-4 + 1e-4 * Math.abs(out[i]);
                bound += 2 * Math.abs(d) * e + e * e;
            }
            expected /= out.length;
            bound /= out.length;
            assertThat(Math.abs(l.item_double() - expected)).isLessThanOrEqualTo(bound);

            // gradients reach the adapters (lora_up first: with lora_up = 0, lora_down gets none) and nothing else
            l.backward();
            long withGrad = network.unetParameters().stream().filter(p -> p.grad().defined() && p.grad().abs().sum().item_double() > 0).count();
            assertThat(withGrad).isPositive();
            for (Tensor p : sd.unet().namedParameters().values()) assertThat(p.grad().defined()).isFalse();
        }
    }

    @Test
    void perSampleWeightsScaleEachSamplesMeanSquaredError() throws Exception {
        StableDiffusion sd = SdLoader.load(Golden.path("sd/sd15_tiny"), SdLoader.Options.defaults());
        DiffusionLoss loss = new DiffusionLoss(sd.unet(), NoiseSchedule.of(sd.scheduler()), PredictionType.EPSILON);
        try (SafetensorsFile io = SafetensorsFile.open(Golden.path("sd/unet_sd15_io.safetensors"))) {
            Tensor sample = io.tensor("sample");
            Tensor timestep = io.tensor("timestep");
            Tensor context = io.tensor("encoder_hidden_states");
            double[] single = new double[2];
            for (int i = 0; i < 2; i++) {
                single[i] = loss.predictionLoss(sample.narrow(0, i, 1), timestep.narrow(0, i, 1), context.narrow(0, i, 1),
                        sample.narrow(0, i, 1), null).item_double();
            }
            double weighted = loss.predictionLoss(sample, timestep, context, sample, new double[] {1, 0.25}).item_double();
            assertThat(weighted).isCloseTo((single[0] + 0.25 * single[1]) / 2, within(1e-5 * single[0]));
            double unweighted = loss.predictionLoss(sample, timestep, context, sample, new double[] {1, 1}).item_double();
            assertThat(unweighted).isCloseTo(loss.predictionLoss(sample, timestep, context, sample, null).item_double(),
                    within(1e-5 * single[0]));
        }
    }

    @Test
    void theTargetIsTheNoiseOrTheVelocityOfTheSchedule() {
        StableDiffusion sd = SdLoader.load(Golden.path("sd/sd15_tiny"), SdLoader.Options.defaults());
        NoiseSchedule schedule = NoiseSchedule.of(sd.scheduler());
        torch.manual_seed(5);
        Tensor x0 = torch.randn(2, 4, 2, 2);
        Tensor noise = torch.randn(2, 4, 2, 2);
        Tensor t = Tensors.fromLongs(new long[] {10, 900}, 2);
        DiffusionLoss eps = new DiffusionLoss(sd.unet(), schedule, PredictionType.EPSILON);
        assertThat(Tensors.toFloats(eps.target(x0, noise, t))).isEqualTo(Tensors.toFloats(noise));
        DiffusionLoss v = new DiffusionLoss(sd.unet(), schedule, PredictionType.V_PREDICTION);
        float[] got = Tensors.toFloats(v.target(x0, noise, t));
        float[] x = Tensors.toFloats(x0);
        float[] e = Tensors.toFloats(noise);
        long[] steps = {10, 900};
        for (int i = 0; i < got.length; i++) {
            double a = schedule.alphaCumprod((int) steps[i / 16]);
            double expected = Math.sqrt(a) * e[i] - Math.sqrt(1 - a) * x[i];
            assertThat((double) got[i]).isCloseTo(expected, within(1e-6));
        }
    }
}
