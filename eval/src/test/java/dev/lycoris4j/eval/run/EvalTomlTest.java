package dev.lycoris4j.eval.run;

import dev.lycoris4j.eval.image.ResizeMode;
import dev.lycoris4j.eval.prompts.PromptType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** eval.toml: defaults, relative paths, and one-line errors naming the file, table and key. */
class EvalTomlTest {
    @TempDir
    Path dir;

    private static final String CHECKPOINT = """
            [[checkpoints]]
            name = "lora-a"
            adapter = "runs/a.safetensors"
            algo = "lora"
            preset = "attn-mlp"
            lr = 5e-4
            dim = 8
            alpha = 4
            seed = "a"
            epoch = 10
            """;

    private Path config(String text) throws IOException {
        return Files.writeString(dir.resolve("eval.toml"), text);
    }

    @Test
    void minimalConfigTakesTheReferenceDefaults() throws IOException {
        EvalConfig c = EvalToml.read(config("""
                model = "models/sd15"
                dataset = "data"
                output = "out"
                [encoders]
                dino = "enc/dinov2"
                vgg = "enc/vgg19.safetensors"
                """ + CHECKPOINT));
        assertThat(c.model()).isEqualTo(dir.resolve("models/sd15"));
        assertThat(c.results()).isEqualTo(dir.resolve("out/results.csv"));
        assertThat(c.prompts()).isNull();
        assertThat(c.promptTypes()).containsExactly(PromptType.TRAIN, PromptType.TRIGGER, PromptType.ALTER, PromptType.STYLE);
        assertThat(c.images()).isEqualTo(100);
        assertThat(c.captionExtension()).isEqualTo(".txt");
        assertThat(c.generation()).isEqualTo(GenerationSettings.REFERENCE);
        assertThat(c.encoders().referenceModes()).containsExactly(ResizeMode.STRETCH, ResizeMode.CENTER_CROP, ResizeMode.LETTERBOX);
        assertThat(c.encoders().dinoSize()).isEqualTo(224);
        EvalConfig.Checkpoint k = c.checkpoints().getFirst();
        assertThat(k.adapter()).isEqualTo(dir.resolve("runs/a.safetensors"));
        assertThat(k.scale()).isEqualTo(1);
        assertThat(k.labels()).isEqualTo(new EvalConfig.Labels("lora", "attn-mlp", 5e-4, 8, 4, Double.NaN, "a", 10));
    }

    @Test
    void everyKeyIsRead() throws IOException {
        EvalConfig c = EvalToml.read(config("""
                model = "m.safetensors"
                tokenizer = "tok"
                dataset = "data"
                output = "out"
                results = "res/r.csv"
                prompts = "p.json"
                caption_extension = ".txtdb"
                prompt_types = ["trigger", "agnostic"]
                images = 4
                classes = ["anime", "scene/scene_canal"]
                agnostic_prompts = "agnostic.txt"
                [generation]
                sampler = "euler"
                steps = 3
                cfg = 5.5
                width = 64
                height = 128
                seed = 7
                negative_prompt = "blurry"
                clip_skip = 2
                device = "cpu"
                dtype = "bf16"
                bypass = true
                [encoders]
                clip = "clip"
                clip_tokenizer = "tok"
                clip_label = "clip-b"
                reference_modes = ["padding"]
                """ + CHECKPOINT.replace("seed = \"a\"", "seed = 23").replace("alpha = 4", "factor = 8")));
        assertThat(c.promptTypes()).containsExactly(PromptType.TRIGGER, PromptType.AGNOSTIC);
        assertThat(c.classes()).containsExactly("anime", "scene/scene_canal");
        assertThat(c.results()).isEqualTo(dir.resolve("res/r.csv"));
        assertThat(c.generation()).isEqualTo(new GenerationSettings("euler", 3, 5.5, 64, 128, 7, "blurry", 2, "cpu",
                dev.lycoris4j.core.tensor.DType.BF16, true));
        assertThat(c.encoders().dino()).isNull();
        assertThat(c.encoders().clipLabel()).isEqualTo("clip-b");
        assertThat(c.encoders().referenceModes()).containsExactly(ResizeMode.LETTERBOX);
        assertThat(c.checkpoints().getFirst().labels().seed()).isEqualTo("23");
        assertThat(c.checkpoints().getFirst().labels().factor()).isEqualTo(8);
        assertThat(c.checkpoints().getFirst().labels().alpha()).isNaN();
    }

    @Test
    void errorsNameTheFileTableAndKey() throws IOException {
        String head = "model = \"m\"\ndataset = \"d\"\noutput = \"o\"\n[encoders]\ndino = \"x\"\nvgg = \"v\"\n";
        Path typo = config(head + "[generation]\nstepz = 3\n" + CHECKPOINT);
        assertThatThrownBy(() -> EvalToml.read(typo)).hasMessageStartingWith(typo + ": [generation] unknown key 'stepz'");
        Path badType = config(head + "[generation]\nsteps = \"3\"\n" + CHECKPOINT);
        assertThatThrownBy(() -> EvalToml.read(badType)).hasMessage(badType + ": [generation] steps must be an integer, got \"3\"");
        Path syntax = config(head + "images = = 3\n");
        assertThatThrownBy(() -> EvalToml.read(syntax)).hasMessageStartingWith(syntax + ":7: not valid TOML");
        Path noAlgo = config(head + CHECKPOINT.replace("algo = \"lora\"\n", ""));
        assertThatThrownBy(() -> EvalToml.read(noAlgo)).hasMessage(noAlgo + ": [[checkpoints]] #1 'algo' is required");
        Path twice = config(head + CHECKPOINT + CHECKPOINT.replace("lora-a", "lora-b"));
        assertThatThrownBy(() -> EvalToml.read(twice)).hasMessageContaining("has the same labels (algo … epoch) as another");
        Path base = config(head + CHECKPOINT.replace("lora-a", "base"));
        assertThatThrownBy(() -> EvalToml.read(base)).hasMessageContaining("'base' holds the base model's images");
        Path noVgg = config(head.replace("vgg = \"v\"\n", "") + CHECKPOINT);
        assertThatThrownBy(() -> EvalToml.read(noVgg)).hasMessage(noVgg
                + ": prompt type style is scored by the VGG19 style loss only: set vgg in [encoders]");
        Path noAgnostic = config("prompt_types = [\"agnostic\"]\n" + head + CHECKPOINT);
        assertThatThrownBy(() -> EvalToml.read(noAgnostic)).hasMessage(noAgnostic
                + ": prompt type agnostic needs agnostic_prompts (a file of prompts, one per line)");
        Path unknownType = config("prompt_types = [\"alter_tags\"]\n" + head + CHECKPOINT);
        assertThatThrownBy(() -> EvalToml.read(unknownType)).hasMessage(unknownType
                + ": unknown prompt type 'alter_tags': use one of train, trigger, alter, style, agnostic");
        Path noEncoder = config("model = \"m\"\ndataset = \"d\"\noutput = \"o\"\nprompt_types = [\"alter\"]\n" + CHECKPOINT);
        assertThatThrownBy(() -> EvalToml.read(noEncoder)).hasMessageContaining("needs an image encoder");
        assertThatThrownBy(() -> EvalToml.read(dir.resolve("missing.toml"))).hasMessage("config not found: " + dir.resolve("missing.toml"));
    }
}
