package dev.lycoris4j.train.trainer;

import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.train.data.BucketSettings;
import dev.lycoris4j.train.data.Resolution;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainArgsTest {
    @TempDir
    Path dir;
    private Path data;

    @BeforeEach
    void image() throws Exception {
        data = dir.resolve("data/5_cat");
        Files.createDirectories(data);
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", data.resolve("x.png").toFile());
    }

    private TrainArgs base() {
        return new TrainArgs().put("--data", dir.resolve("data").toString(), "--data")
                .put("-o", dir.resolve("out").toString(), "-o").put("--model", "m", "--model");
    }

    @Test
    void kohyaDefaultsApplyToWhatIsNotGiven() throws Exception {
        TrainConfig c = base().put("network_dim", "16", "--network_dim").put("max-epochs", "3", "--max-epochs").resolve(s -> {});
        assertThat(c.network().adapter().algorithm()).isEqualTo(Algorithm.LORA);
        assertThat(c.network().adapter().dim()).isEqualTo(16);
        assertThat(c.network().adapter().alpha()).isEqualTo(1.0);
        assertThat(c.network().convDim()).isEqualTo(16); // kohya: conv dim defaults to the linear dim
        assertThat(c.optimizer()).isEqualTo(new OptimizerConfig(1e-4, 1e-4, 0.01, 0.9, 0.999, 1e-8, 1.0));
        assertThat(c.maxEpochs()).isEqualTo(3);
        assertThat(c.maxSteps()).isZero(); // kohya's 1600-step default applies only when no limit is given
        assertThat(c.datasets()).singleElement().satisfies(d -> {
            assertThat(d.buckets()).isEqualTo(new BucketSettings(Resolution.square(512), false, 256, 1024, 64, false));
            assertThat(d.subsets()).singleElement().satisfies(s -> {
                assertThat(s.numRepeats()).isEqualTo(5);
                assertThat(s.classTokens()).isEqualTo("cat");
            });
        });
        assertThat(c.args()).containsKey("seed"); // a drawn seed is kept, so a resumed run uses it too
        assertThat(base().resolve(s -> {}).maxSteps()).isEqualTo(1600);
    }

    @Test
    void thePaperPresetSetsThePapersSettingsUnderWhatIsGiven() throws Exception {
        TrainConfig loha = base().put("preset_paper", "true", "--preset-paper").put("algo", "loha", "--algo").resolve(s -> {});
        assertThat(loha.network().adapter().dim()).isEqualTo(4);
        assertThat(loha.network().adapter().alpha()).isEqualTo(2.0);
        assertThat(loha.presetName()).isEqualTo("attn-mlp");
        assertThat(loha.optimizer()).isEqualTo(new OptimizerConfig(5e-4, 5e-4, 0.1, 0.9, 0.99, 1e-8, 1.0));
        assertThat(loha.scheduler()).isEqualTo(LrSchedule.Kind.CONSTANT_WITH_WARMUP);
        assertThat(loha.warmupEpochs()).isEqualTo(5);
        assertThat(loha.datasets().getFirst().batchSize()).isEqualTo(8);
        assertThat(loha.datasets().getFirst().buckets()).isEqualTo(new BucketSettings(Resolution.square(512), true, 320, 960, 64, false));
        assertThat(loha.datasets().getFirst().subsets().getFirst().captions().dropoutRate()).isEqualTo(0.05);
        assertThat(loha.maxEpochs()).isEqualTo(50);
        assertThat(loha.maxSteps()).isEqualTo(10000);

        TrainConfig lokr = base().put("preset_paper", "true", "x").put("algo", "lokr", "x").put("network_args", "use_tucker=true", "x").resolve(s -> {});
        assertThat(lokr.network().adapter().factor()).isEqualTo(8);
        assertThat(lokr.network().adapter().useTucker()).isTrue();
        assertThat(lokr.network().adapter().dim()).isEqualTo(10000);

        TrainConfig full = base().put("preset_paper", "true", "x").put("algo", "full", "x").put("learning_rate", "2e-6", "x").resolve(s -> {});
        assertThat(full.optimizer().unetLr()).isEqualTo(2e-6);
        assertThat(base().put("preset_paper", "true", "x").put("algo", "full", "x").resolve(s -> {}).optimizer().unetLr()).isEqualTo(1e-6);
    }

    @Test
    void aConfigFileTakesKohyaNamesInAnyTableAndTheCommandLineWins() throws Exception {
        Path file = Files.writeString(dir.resolve("train.toml"), """
                [model]
                pretrained_model_name_or_path = "m"
                [network]
                network_dim = 8
                network_args = ["factor=4", "algo=lokr"]
                [optimizer]
                optimizer_args = ["weight_decay=0.05", "betas=0.8,0.9"]
                learning_rate = 3e-4
                """);
        TrainConfig c = base().put("learning_rate", "1e-3", "--learning_rate").over(TrainArgs.fromFile(file)).resolve(s -> {});
        assertThat(c.network().adapter().algorithm()).isEqualTo(Algorithm.LOKR);
        assertThat(c.network().adapter().factor()).isEqualTo(4);
        assertThat(c.network().adapter().dim()).isEqualTo(8);
        assertThat(c.optimizer()).isEqualTo(new OptimizerConfig(1e-3, 1e-3, 0.05, 0.8, 0.9, 1e-8, 1.0));
    }

    @Test
    void badArgumentsAreOneLineErrorsNamingTheirSource() throws Exception {
        assertThatThrownBy(() -> new TrainArgs().put("--network_dimm", "4", "--network_dimm"))
                .hasMessageStartingWith("--network_dimm: unknown training argument 'network_dimm'");
        Path file = Files.writeString(dir.resolve("t.toml"), "network_dim = 'four'\n");
        assertThatThrownBy(() -> base().over(TrainArgs.fromFile(file)).resolve(s -> {}))
                .hasMessage(file + ": network_dim must be an integer, got 'four'");
        assertThatThrownBy(() -> base().put("optimizer_type", "Adafactor", "--optimizer_type").resolve(s -> {}))
                .hasMessage("--optimizer_type: optimizer_type 'Adafactor' is not available; this trainer implements AdamW, AdamW8bit");
        assertThatThrownBy(() -> base().put("network_args", "factr=4", "--network_args").resolve(s -> {}))
                .hasMessageContaining("unknown network_args key 'factr'");
    }

    @Test
    void optimizerTypeTakesKohyasAndBitsandbytesSpellingsOfAdamW8bitWithItsMin8bitSize() throws Exception {
        for (String name : List.of("AdamW8bit", "adamw8bit", "ADAMW8BIT", "bitsandbytes.optim.AdamW8bit")) {
            assertThat(base().put("optimizer_type", name, "--optimizer_type").resolve(s -> {}).optimizer().type())
                    .as(name).isEqualTo(OptimizerConfig.Type.ADAMW_8BIT);
        }
        assertThat(base().put("optimizer_type", "adamw", "--optimizer_type").resolve(s -> {}).optimizer().type())
                .isEqualTo(OptimizerConfig.Type.ADAMW);
        OptimizerConfig c = base().put("optimizer_type", "AdamW8bit", "--optimizer_type")
                .put("optimizer_args", "min_8bit_size=16384\nweight_decay=0.1", "--optimizer_args").resolve(s -> {}).optimizer();
        assertThat(c).isEqualTo(new OptimizerConfig(1e-4, 1e-4, 0.1, 0.9, 0.999, 1e-8, 1.0, OptimizerConfig.Type.ADAMW_8BIT, 16384));
        assertThatThrownBy(() -> base().put("optimizer_args", "min_8bit_size=16384", "--optimizer_args").resolve(s -> {}))
                .hasMessage("optimizer_args min_8bit_size: min_8bit_size is an AdamW8bit argument, the optimizer is AdamW");
    }

    @Test
    void regularisationFoldersJoinTheDatasetWithTheirPriorLossWeight() throws Exception {
        Path reg = dir.resolve("reg/1_cat");
        Files.createDirectories(reg);
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", reg.resolve("r.png").toFile());
        TrainConfig c = base().put("reg_data_dir", dir.resolve("reg").toString(), "--reg_data_dir")
                .put("prior_loss_weight", "0.5", "--prior_loss_weight").resolve(s -> {});
        assertThat(c.datasets().getFirst().subsets()).extracting(s -> s.isReg()).containsExactly(false, true);
        assertThat(c.priorLossWeight()).isEqualTo(0.5);
    }

    @Test
    void spellingsMapToKohyasNames() {
        assertThat(List.of(TrainArgs.canonical("--max-steps"), TrainArgs.canonical("-o"), TrainArgs.canonical("--model"),
                TrainArgs.canonical("--network-dim"))).containsExactly("max_train_steps", "output_dir",
                "pretrained_model_name_or_path", "network_dim");
    }
}
