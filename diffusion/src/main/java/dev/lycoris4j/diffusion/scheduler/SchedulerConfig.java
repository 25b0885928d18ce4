package dev.lycoris4j.diffusion.scheduler;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The fields of diffusers' {@code scheduler_config.json} that the DDIM, Euler and DPM-Solver++ samplers and
 * the training noise schedule depend on. One config serves every sampler, as diffusers' {@code from_config}
 * lets any scheduler class read another's config; fields a given sampler has no use for are ignored by it.
 *
 * <p>Missing fields take diffusers' class defaults (those of {@code DDIMScheduler}, the only class that uses
 * set_alpha_to_one and clip_sample). The one default that differs between classes is the spacing, so an
 * absent {@code timestep_spacing} is kept as {@code null} and each sampler applies its own default through
 * {@link #timestepSpacingOr}.
 *
 * @param timestepSpacing {@code null} when the config does not name one
 */
public record SchedulerConfig(
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        BetaSchedule betaSchedule,
        PredictionType predictionType,
        boolean setAlphaToOne,
        int stepsOffset,
        TimestepSpacing timestepSpacing,
        boolean clipSample,
        double clipSampleRange,
        boolean useKarrasSigmas) {

    // diffusers writes float("-inf") (DPM-Solver's lambda_min_clipped) as the non-standard token -Infinity.
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    public SchedulerConfig {
        if (numTrainTimesteps < 2) {
            throw new IllegalArgumentException("field 'num_train_timesteps': " + numTrainTimesteps + " is below 2");
        }
        if (!(betaStart >= 0 && betaStart <= betaEnd && betaEnd < 1)) {
            throw new IllegalArgumentException("fields 'beta_start'/'beta_end': " + betaStart + ", " + betaEnd
                    + " do not satisfy 0 <= beta_start <= beta_end < 1");
        }
        if (betaSchedule == null) throw new IllegalArgumentException("field 'beta_schedule' is null");
        if (predictionType == null) throw new IllegalArgumentException("field 'prediction_type' is null");
        if (stepsOffset < 0 || stepsOffset >= numTrainTimesteps) {
            throw new IllegalArgumentException("field 'steps_offset': " + stepsOffset
                    + " is outside [0, num_train_timesteps)");
        }
        if (!(clipSampleRange > 0)) {
            throw new IllegalArgumentException("field 'clip_sample_range': " + clipSampleRange + " is not positive");
        }
    }

    /**
     * The Stable Diffusion 1.x/2.x/XL schedule as their pipelines ship it: scaled_linear β from 0.00085 to
     * 0.012 over 1000 steps, ε-prediction, steps_offset 1, leading spacing. For checkpoints that come without
     * a scheduler_config.json.
     */
    public static SchedulerConfig stableDiffusion() {
        return new SchedulerConfig(1000, 0.00085, 0.012, BetaSchedule.SCALED_LINEAR, PredictionType.EPSILON,
                false, 1, TimestepSpacing.LEADING, false, 1.0, false);
    }

    /** Reads a diffusers scheduler_config.json; errors name the file and the field. */
    public static SchedulerConfig read(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not a readable JSON scheduler config: " + e.getMessage(), e);
        }
        return fromJson(root, file.toString());
    }

    /**
     * Builds a config from a parsed JSON object; {@code source} names where it came from in error messages.
     * Unknown fields are ignored; fields that would change the result in ways not implemented here
     * (thresholding, zero-SNR rescaling, explicit trained_betas, log-linear or continuous Euler timesteps)
     * are rejected rather than silently dropped.
     */
    public static SchedulerConfig fromJson(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": a scheduler config must be a JSON object");
        }
        try {
            requireAbsentOr(root, "trained_betas", JsonNode::isNull, "explicit trained_betas are not supported");
            requireAbsentOr(root, "thresholding", n -> n.isBoolean() && !n.booleanValue(),
                    "dynamic thresholding is not supported");
            requireAbsentOr(root, "rescale_betas_zero_snr", n -> n.isBoolean() && !n.booleanValue(),
                    "zero-terminal-SNR rescaling is not supported");
            requireAbsentOr(root, "interpolation_type", n -> n.isTextual() && n.textValue().equals("linear"),
                    "only linear sigma interpolation is supported");
            requireAbsentOr(root, "timestep_type", n -> n.isTextual() && n.textValue().equals("discrete"),
                    "only discrete timesteps are supported");
            String spacing = text(root, "timestep_spacing", null);
            return new SchedulerConfig(
                    integer(root, "num_train_timesteps", 1000),
                    number(root, "beta_start", 0.0001),
                    number(root, "beta_end", 0.02),
                    parse("beta_schedule", text(root, "beta_schedule", "linear"), BetaSchedule::fromConfigName),
                    parse("prediction_type", text(root, "prediction_type", "epsilon"),
                            PredictionType::fromConfigName),
                    bool(root, "set_alpha_to_one", true),
                    integer(root, "steps_offset", 0),
                    spacing == null ? null : parse("timestep_spacing", spacing, TimestepSpacing::fromConfigName),
                    bool(root, "clip_sample", true),
                    number(root, "clip_sample_range", 1.0),
                    bool(root, "use_karras_sigmas", false));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** The configured spacing, or the sampler class's own default when the config names none. */
    public TimestepSpacing timestepSpacingOr(TimestepSpacing classDefault) {
        return timestepSpacing != null ? timestepSpacing : classDefault;
    }

    public SchedulerConfig withUseKarrasSigmas(boolean karras) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, predictionType,
                setAlphaToOne, stepsOffset, timestepSpacing, clipSample, clipSampleRange, karras);
    }

    private static void requireAbsentOr(JsonNode root, String field, Predicate<JsonNode> ok,
                                        String why) {
        JsonNode n = root.get(field);
        if (n != null && !ok.test(n)) {
            throw new IllegalArgumentException("field '" + field + "': " + n + ": " + why);
        }
    }

    private static <T> T parse(String field, String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field '" + field + "': " + e.getMessage(), e);
        }
    }

    private static JsonNode present(JsonNode root, String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? null : n;
    }

    private static int integer(JsonNode root, String field, int defaultValue) {
        JsonNode n = present(root, field);
        if (n == null) return defaultValue;
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException("field '" + field + "': " + n + " is not an integer");
        }
        return n.intValue();
    }

    private static double number(JsonNode root, String field, double defaultValue) {
        JsonNode n = present(root, field);
        if (n == null) return defaultValue;
        if (!n.isNumber() || !Double.isFinite(n.doubleValue())) {
            throw new IllegalArgumentException("field '" + field + "': " + n + " is not a finite number");
        }
        return n.doubleValue();
    }

    private static boolean bool(JsonNode root, String field, boolean defaultValue) {
        JsonNode n = present(root, field);
        if (n == null) return defaultValue;
        if (!n.isBoolean()) throw new IllegalArgumentException("field '" + field + "': " + n + " is not true/false");
        return n.booleanValue();
    }

    private static String text(JsonNode root, String field, String defaultValue) {
        JsonNode n = present(root, field);
        if (n == null) return defaultValue;
        if (!n.isTextual()) throw new IllegalArgumentException("field '" + field + "': " + n + " is not a string");
        return n.textValue();
    }
}
