package dev.lycoris4j.diffusion.scheduler;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.lycoris4j.core.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchedulerConfigTest {
    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("scheduler_config.json"), json);
    }

    @Test
    void theTinyPipelinesConfigIsTheStableDiffusionSchedule() throws IOException {
        SchedulerConfig config = SchedulerConfig.read(Golden.path("sd/sd15_tiny/scheduler/scheduler_config.json"));
        assertThat(config).isEqualTo(SchedulerConfig.stableDiffusion());
    }

    @Test
    void everyGoldenConfigParses() {
        for (String variant : SchedulerGoldenData.VARIANTS) {
            SchedulerConfig c = SchedulerGoldenData.configAfterInit(variant);
            assertThat(c.numTrainTimesteps()).isEqualTo(1000);
            assertThat(c.betaSchedule()).isEqualTo(BetaSchedule.SCALED_LINEAR);
        }
        assertThat(SchedulerGoldenData.configAfterInit("ddim_vpred").predictionType())
                .isEqualTo(PredictionType.V_PREDICTION);
        assertThat(SchedulerGoldenData.configAfterInit("ddim_trailing").timestepSpacing())
                .isEqualTo(TimestepSpacing.TRAILING);
        assertThat(SchedulerGoldenData.configAfterInit("dpmpp2m_karras").useKarrasSigmas()).isTrue();
        // the DDPM training config too: its variance_type and other fields do not matter here
        assertThat(SchedulerGoldenData.configAfterInit("ddpm_train").stepsOffset()).isEqualTo(1);
    }

    /** diffusers' DDIMScheduler defaults (its __init__ signature) fill absent fields; the spacing stays open. */
    @Test
    void absentFieldsTakeDiffusersDefaults() throws IOException {
        SchedulerConfig c = SchedulerConfig.read(write("{\"_class_name\": \"PNDMScheduler\"}"));
        assertThat(c).isEqualTo(new SchedulerConfig(1000, 0.0001, 0.02, BetaSchedule.LINEAR,
                PredictionType.EPSILON, true, 0, null, true, 1.0, false));
        assertThat(c.timestepSpacingOr(TimestepSpacing.LINSPACE)).isEqualTo(TimestepSpacing.LINSPACE);
    }

    @Test
    void nonFiniteNumbersThatDiffusersWritesAreAccepted() throws IOException {
        SchedulerConfig c = SchedulerConfig.read(write("{\"lambda_min_clipped\": -Infinity, \"variance_type\": null}"));
        assertThat(c.numTrainTimesteps()).isEqualTo(1000);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"beta_schedule\": \"squaredcos_cap_v2\"}|beta_schedule",
            "{\"prediction_type\": \"sample\"}|prediction_type",
            "{\"timestep_spacing\": \"uniform\"}|timestep_spacing",
            "{\"num_train_timesteps\": \"1000\"}|num_train_timesteps",
            "{\"num_train_timesteps\": 1000.5}|num_train_timesteps",
            "{\"num_train_timesteps\": 1}|num_train_timesteps",
            "{\"beta_start\": 0.5, \"beta_end\": 0.1}|beta_start",
            "{\"steps_offset\": -1}|steps_offset",
            "{\"clip_sample\": \"no\"}|clip_sample",
            "{\"thresholding\": true}|thresholding",
            "{\"rescale_betas_zero_snr\": true}|rescale_betas_zero_snr",
            "{\"trained_betas\": [0.1, 0.2]}|trained_betas",
            "{\"interpolation_type\": \"log_linear\"}|interpolation_type",
            "{\"timestep_type\": \"continuous\"}|timestep_type",
            "[1, 2]|JSON object",
    })
    void badValuesNameTheFileAndField(String json, String field) throws IOException {
        Path file = write(json);
        assertThatThrownBy(() -> SchedulerConfig.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(field);
    }

    @Test
    void malformedJsonNamesTheFile() throws IOException {
        Path file = write("{\"beta_start\": ");
        assertThatThrownBy(() -> SchedulerConfig.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void fromJsonNamesItsSource() {
        assertThatThrownBy(() -> SchedulerConfig.fromJson(
                JsonMapper.builder().build().readTree("{\"steps_offset\": 5000}"), "inline test config"))
                .hasMessageContaining("inline test config").hasMessageContaining("steps_offset");
    }
}
