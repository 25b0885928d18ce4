package dev.lycoris4j.diffusion.scheduler;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.core.testing.Golden;
import org.bytedeco.pytorch.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Access to golden case 5_schedulers: schedulers.json (configs, timesteps, init_noise_sigma) and the
 * tolerance the manifest gives for schedulers.safetensors.
 */
final class SchedulerGoldenData {
    /** Every variant of the case, as named in the golden files. */
    static final List<String> VARIANTS = List.of("ddim", "ddim_vpred", "ddim_trailing", "euler", "euler_leading",
            "dpmpp2m", "dpmpp2m_leading", "dpmpp2m_karras");
    static final String TENSORS = "sd/schedulers.safetensors";
    // manifest case 5_schedulers: tolerance abs 1e-5, rel 1e-5.
    static final double ABS = 1e-5;
    static final double REL = 1e-5;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static JsonNode root;

    private SchedulerGoldenData() {}

    static synchronized JsonNode json() {
        if (root == null) {
            try {
                root = JSON.readTree(Golden.path("sd/schedulers.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }

    static SchedulerConfig configAfterInit(String variant) {
        return SchedulerConfig.fromJson(json().get("configs_after_init").get(variant),
                "schedulers.json configs_after_init." + variant);
    }

    /** The factory name that builds the sampler class of a variant. */
    static String samplerName(String variant) {
        if (variant.startsWith("ddim")) return "ddim";
        if (variant.startsWith("euler")) return "euler";
        return variant.equals("dpmpp2m_karras") ? "dpmpp-2m-karras" : "dpmpp-2m";
    }

    static Scheduler create(String variant) {
        return Schedulers.create(samplerName(variant), configAfterInit(variant));
    }

    static double[] goldenTimesteps(String variant, int steps) {
        JsonNode list = json().get("timesteps").get(variant + "_" + steps);
        assertThat(list).as(variant + "_" + steps).isNotNull();
        double[] t = new double[list.size()];
        for (int i = 0; i < t.length; i++) t[i] = list.get(i).doubleValue();
        return t;
    }

    static double[] asDoubles(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) d[i] = values[i];
        return d;
    }

    /** |actual − expected| <= ABS + REL·|expected| elementwise, shapes equal. */
    static void assertClose(Tensor actual, Tensor expected, String what) {
        assertThat(Tensors.shape(actual)).as(what + " shape").containsExactly(Tensors.shape(expected));
        assertClose(Tensors.toDoubles(actual), Tensors.toDoubles(expected), what);
    }

    static void assertClose(double[] actual, double[] expected, String what) {
        assertThat(actual).as(what + " length").hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            double bound = ABS + REL * Math.abs(expected[i]);
            if (!(Math.abs(actual[i] - expected[i]) <= bound)) {
                throw new AssertionError(what + "[" + i + "]: " + actual[i] + " vs golden " + expected[i]
                        + " (bound " + bound + ")");
            }
        }
    }
}
