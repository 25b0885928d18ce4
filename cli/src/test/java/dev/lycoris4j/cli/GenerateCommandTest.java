package dev.lycoris4j.cli;

import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.testing.Golden;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code lycoris generate} end to end on the golden tiny SD1.5 folder (golden/sd case 6). */
class GenerateCommandTest {
    @TempDir
    Path dir;

    @Test
    void seed7100ReproducesTheGoldenLatentsAndWritesTheInfotext() throws Exception {
        Path png = dir.resolve("dog.png");
        Path latents = dir.resolve("latents.safetensors");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"generate", "--model", Golden.path("sd/sd15_tiny").toString(),
                "--prompt", "a photo of sks dog", "--steps", "5", "--cfg", "7", "--seed", "7100",
                "--sampler", "ddim", "--save-latents", latents.toString(), "-o", png.toString()},
                new PrintWriter(out), new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();

        try (SafetensorsFile ours = SafetensorsFile.open(latents);
             SafetensorsFile golden = SafetensorsFile.open(Golden.path("sd/pipeline_sd15_io.safetensors"))) {
            assertClose("final latents", ours.tensor("latents"), golden.tensor("final_latents"), 1e-3, 0);
        }
        // The initial latents of seed 7100 are diffusers' CPU-generator draw (times DDIM's init sigma of 1).
        torch.manual_seed(7100);
        try (SafetensorsFile golden = SafetensorsFile.open(Golden.path("sd/pipeline_sd15_io.safetensors"))) {
            assertClose("initial latents", torch.randn(1, 4, 8, 8), golden.tensor("init_latents"), 0, 0);
        }
        assertThat(ImageIO.read(png.toFile()).getWidth()).isEqualTo(64);
        try (ImageInputStream in = ImageIO.createImageInputStream(png.toFile())) {
            ImageReader r = ImageIO.getImageReaders(in).next();
            r.setInput(in);
            IIOMetadataNode root = (IIOMetadataNode) r.getImageMetadata(0).getAsTree("javax_imageio_png_1.0");
            IIOMetadataNode text = (IIOMetadataNode) root.getElementsByTagName("tEXtEntry").item(0);
            assertThat(text.getAttribute("keyword")).isEqualTo("parameters");
            assertThat(text.getAttribute("value")).startsWith("a photo of sks dog\nSteps: 5, Sampler: DDIM, CFG scale: 7, Seed: 7100, Size: 64x64");
        }
    }

    @Test
    void anUnknownSamplerIsAOneLineError() {
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"generate", "--model", Golden.path("sd/sd15_tiny").toString(), "--prompt", "x",
                "--sampler", "plms", "-o", dir.resolve("x.png").toString()}, new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip()).startsWith("lycoris: unknown sampler 'plms'").doesNotContain("\n");
    }
}
