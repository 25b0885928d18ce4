package dev.lycoris4j.train.sweep;

import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.eval.prompts.PromptType;
import dev.lycoris4j.eval.run.EvalConfig;
import dev.lycoris4j.train.trainer.TrainArgs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** sweep.toml: the grid it expands to, each run's arguments and labels, and one-line errors naming file and key. */
class SweepTomlTest {
    @TempDir
    Path dir;

    private static final String EVAL = """
            [eval]
            dataset = "eval-data"
            prompt_types = ["train", "trigger"]
            images = 4
            [eval.encoders]
            dino = "enc/dinov2"
            """;

    private Path sweep(String text) throws IOException {
        return Files.writeString(dir.resolve("sweep.toml"), text);
    }

    @Test
    void expandsTheGridInOrderWithEachRunsArguments() throws IOException {
        SweepConfig c = SweepToml.read(sweep("""
                output = "out"
                seeds = [23, 24]
                epochs = [20, 10, 30]
                [train]
                train_data_dir = "data"
                preset_paper = true
                network_args = ["preset=attn-mlp"]
                [[algorithms]]
                algo = "lora"
                [[algorithms]]
                name = "lokr-full"
                algo = "lokr"
                network_args = ["factor=4", "full_matrix=true"]
                [vary]
                learning_rate = [5e-4, 0.001]
                """ + EVAL));
        assertThat(c.output()).isEqualTo(dir.resolve("out"));
        assertThat(c.epochs()).containsExactly(10, 20, 30);
        assertThat(c.runs()).extracting(SweepConfig.Run::name).containsExactly(
                "lora-lr5e-4-seed23", "lora-lr5e-4-seed24", "lora-lr1e-3-seed23", "lora-lr1e-3-seed24",
                "lokr-full-lr5e-4-seed23", "lokr-full-lr5e-4-seed24", "lokr-full-lr1e-3-seed23", "lokr-full-lr1e-3-seed24");

        SweepConfig.Run lokr = c.runs().get(6);
        assertThat(lokr.dir()).isEqualTo(dir.resolve("out/runs/lokr-full-lr1e-3-seed23"));
        assertThat(lokr.args()).contains(entry("train_data_dir", dir.resolve("data").toString()),
                entry("output_dir", lokr.dir().toString()), entry("seed", "23"), entry("learning_rate", "1e-3"),
                entry("max_train_epochs", "30"), entry("max_train_steps", "0"), entry("save_every_n_epochs", "10"),
                entry("algo", "lokr"), entry("preset_paper", "true"),
                // [train]'s list and the algorithm's merge item by item
                entry("network_args", "preset=attn-mlp\nfactor=4\nfull_matrix=true"));
        // preset_paper gives LoKr network_dim 10000 and alpha 1; the algorithm's factor wins over the paper's 8
        assertThat(lokr.hyperparameters()).isEqualTo(new TrainArgs.Hyperparameters(Algorithm.LOKR, "attn-mlp", 1e-3, 10000, 1, 4));
        assertThat(SweepConfig.labels(lokr, 20)).isEqualTo(new EvalConfig.Labels("lokr", "attn-mlp", 1e-3, 10000, 1, 4, "23", 20));
        assertThat(SweepConfig.labels(c.runs().getFirst(), 10))
                .isEqualTo(new EvalConfig.Labels("lora", "attn-mlp", 5e-4, 8, 4, Double.NaN, "23", 10));

        assertThat(c.checkpoints(lokr)).extracting(EvalConfig.Checkpoint::name, EvalConfig.Checkpoint::adapter).containsExactly(
                org.assertj.core.groups.Tuple.tuple("lokr-full-lr1e-3-seed23-e10", lokr.dir().resolve("adapter-epoch-010.safetensors")),
                org.assertj.core.groups.Tuple.tuple("lokr-full-lr1e-3-seed23-e20", lokr.dir().resolve("adapter-epoch-020.safetensors")),
                org.assertj.core.groups.Tuple.tuple("lokr-full-lr1e-3-seed23-e30", lokr.dir().resolve("adapter.safetensors")));

        // No model given: the runs train the built-in tiny model, which evaluation builds into the sweep's folder.
        assertThat(c.tinyModel()).isEqualTo(dir.resolve("out/model"));
        EvalConfig eval = c.eval();
        assertThat(eval.model()).isEqualTo(dir.resolve("out/model"));
        assertThat(eval.dataset()).isEqualTo(dir.resolve("eval-data"));
        assertThat(eval.output()).isEqualTo(dir.resolve("out/eval"));
        assertThat(eval.results()).isEqualTo(dir.resolve("out/eval/results.csv"));
        assertThat(eval.promptTypes()).containsExactly(PromptType.TRAIN, PromptType.TRIGGER);
        assertThat(eval.images()).isEqualTo(4);
        assertThat(eval.checkpoints()).isEmpty();
    }

    @Test
    void varyingANetworkArgsItemAndTheWrittenTrainTomlReadsBackTheSame() throws IOException {
        SweepConfig c = SweepToml.read(sweep("""
                output = "out"
                seeds = [0]
                epochs = [1]
                [train]
                pretrained_model_name_or_path = "models/sd15"
                [[algorithms]]
                algo = "lokr"
                network_dim = 10000
                network_args = ["factor=8", "full_matrix=true"]
                [vary]
                network_args.factor = [4, 12]
                """ + EVAL));
        assertThat(c.runs()).extracting(SweepConfig.Run::name).containsExactly("lokr-factor4-seed0", "lokr-factor12-seed0");
        SweepConfig.Run run = c.runs().get(1);
        assertThat(run.args().get("network_args")).isEqualTo("factor=12\nfull_matrix=true");
        assertThat(run.hyperparameters().factor()).isEqualTo(12);
        assertThat(c.tinyModel()).isNull();
        assertThat(c.eval().model()).isEqualTo(dir.resolve("models/sd15"));

        Path written = Files.writeString(dir.resolve("train.toml"), TrainArgs.toToml(run.args()));
        assertThat(TrainArgs.fromFile(written).values()).isEqualTo(run.args());
    }

    @Test
    void withoutVaryTheGridIsAlgorithmsTimesSeeds() throws IOException {
        SweepConfig c = SweepToml.read(sweep("""
                output = "out"
                seeds = [1, 2]
                epochs = [4, 6]
                [[algorithms]]
                algo = "loha"
                network_dim = 4
                network_alpha = 2
                """ + EVAL));
        assertThat(c.runs()).extracting(SweepConfig.Run::name).containsExactly("loha-seed1", "loha-seed2");
        // checkpoints at 4 and 6 need a save every 2 epochs
        assertThat(c.runs().getFirst().args()).contains(entry("save_every_n_epochs", "2"), entry("max_train_epochs", "6"));
    }

    @Test
    void errorsNameTheFileTableAndKey() throws IOException {
        String grid = """
                output = "out"
                seeds = [0]
                epochs = [1]
                [[algorithms]]
                algo = "lora"
                """;
        expectError("epoch = [2]\n" + grid + EVAL, ": unknown key 'epoch' (known: algorithms, epochs, eval, output, seeds, train, vary)");
        expectError(grid.replace("seeds = [0]\n", "") + EVAL, ": 'seeds' is required: the training seeds, such as seeds = [23, 24, 25]");
        expectError(grid.replace("seeds = [0]", "seeds = [1, 1]") + EVAL, ": seeds lists a value twice: [1, 1]");
        expectError(grid.replace("epochs = [1]", "epochs = [0, 5]") + EVAL, ": epochs must be positive, got 0");
        expectError(grid.replace("epochs = [1]", "epochs = [\"10\"]") + EVAL, ": epochs must be a list of integers, got [\"10\"]");
        expectError(grid + "[train]\nnetwork_dimm = 4\n" + EVAL, " [train]: unknown training argument 'network_dimm' (known: ");
        expectError(grid + "[train]\nseed = 4\n" + EVAL, ": [train] seed is set by the sweep: the runs' seeds come from seeds = [...]");
        expectError(grid + "max_train_epochs = 4\n" + EVAL,
                ": [[algorithms]] #1 max_train_epochs is set by the sweep: every run trains to the last of epochs = [...]");
        expectError(grid + "network_dim = \"four\"\n" + EVAL, " [[algorithms]] #1: network_dim must be an integer, got 'four'");
        expectError(grid + "[vary]\nlearning_rate = [1e-4]\nnetwork_dim = [4]\n" + EVAL,
                ": [vary] varies exactly one hyperparameter, got learning_rate, network_dim");
        expectError(grid + "[vary]\nlearning_rate = 1e-4\n" + EVAL, ": [vary] learning_rate must be a non-empty list of values, got 0.0001");
        expectError(grid + "[vary]\nlearning_rate = [1e-4, 0.0001]\n" + EVAL, ": [vary] learning_rate lists the value 1e-4 twice");
        expectError(grid + "[vary]\nseed = [1, 2]\n" + EVAL, ": [vary] seed cannot be varied: the runs' seeds come from seeds = [...]");
        expectError(grid + "[vary]\ncaption_dropout_rate = [0.0, 0.1]\n" + EVAL,
                ": runs lora-caption_dropout_rate0-seed0 and lora-caption_dropout_rate0.1-seed0 would get the same results CSV labels");
        expectError(grid + "[[algorithms]]\nalgo = \"lora\"\nnetwork_dim = 8\n" + EVAL,
                ": [[algorithms]] #2 name 'lora' is taken by [[algorithms]] #1: give each algorithm its own name");
        expectError(grid + "name = \"lora 8\"\n" + EVAL,
                ": [[algorithms]] #1 name 'lora 8' must be letters, digits, '.', '_', '+' or '-' (it names the run folders)");
        expectError(grid.replace("algo = \"lora\"", "algo = \"lorax\""), ": [[algorithms]] #1 unknown algorithm 'lorax'");
        expectError(grid, ": [eval] is required: the evaluation settings (eval.toml's keys but [[checkpoints]])");
        expectError(grid + EVAL + "[[eval.checkpoints]]\nname = \"a\"\n", ": [eval] unknown key 'checkpoints' (known: ");
        expectError(grid + EVAL.replace("dataset = \"eval-data\"\n", ""), ": [eval] 'dataset' is required");
        expectError(grid + EVAL.replace("[eval.encoders]\ndino = \"enc/dinov2\"\n", ""),
                ": [eval] an evaluation needs an image encoder: set dino, clip or both");
        expectError("output = \"out\"\nseeds = [0]\nepochs = [1]\n" + EVAL, ": at least one [[algorithms]] table is required");
    }

    private void expectError(String text, String message) throws IOException {
        Path file = sweep(text);
        assertThatThrownBy(() -> SweepToml.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void theDocumentedExampleIsThePapersGrid() throws IOException {
        // docs/sweep.md's first TOML block, in the repository beside this module (the tests run in the module's folder)
        String doc = Files.readString(Path.of("").toAbsolutePath().resolveSibling("docs").resolve("sweep.md"));
        int start = doc.indexOf("```toml\n") + "```toml\n".length();
        SweepConfig c = SweepToml.read(sweep(doc.substring(start, doc.indexOf("```", start))));
        assertThat(c.runs()).hasSize(27);
        assertThat(c.epochs()).containsExactly(10, 20, 30, 40, 50);
        assertThat(c.runs().getFirst().name()).isEqualTo("lora-lr1e-4-seed23");
        assertThat(c.runs().getLast().name()).isEqualTo("lokr-lr1e-3-seed25");
        assertThat(c.runs()).extracting(r -> SweepConfig.labels(r, 50)).contains(
                new EvalConfig.Labels("lora", "attn-mlp", 5e-4, 8, 4, Double.NaN, "24", 50),
                new EvalConfig.Labels("loha", "attn-mlp", 1e-4, 4, 2, Double.NaN, "23", 50),
                new EvalConfig.Labels("lokr", "attn-mlp", 1e-3, 10000, 1, 8, "25", 50));
        assertThat(c.runs().getFirst().args()).contains(entry("save_every_n_epochs", "10"), entry("max_train_epochs", "50"));
        assertThat(c.eval().results()).isEqualTo(dir.resolve("out/sweep/eval/results.csv"));
        assertThat(c.eval().model()).isEqualTo(dir.resolve("models/sd15"));
    }

    @Test
    void compactNumbersForFolderNames() {
        assertThat(List.of(SweepToml.compact(5e-4), SweepToml.compact(1.5e-4), SweepToml.compact(0.001), SweepToml.compact(0.5),
                SweepToml.compact(8.0), SweepToml.compact(1e6), SweepToml.compact(-2.5e-5)))
                .containsExactly("5e-4", "1.5e-4", "1e-3", "0.5", "8", "1e6", "-2.5e-5");
    }
}
