package dev.lycoris4j.diffusion.model;

import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.diffusion.text.ClipTextModel;
import dev.lycoris4j.diffusion.unet.UNet2DConditionModel;
import dev.lycoris4j.diffusion.vae.AutoencoderKL;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The full-size models built on the meta device have exactly the published parameter counts
 * (spec sd-architecture: counts that an independent enumeration matched to the published totals).
 */
class ArchitecturesTest {
    @Test
    void fullSizeParameterCountsEqualThePublishedOnes() {
        assertThat(new UNet2DConditionModel(Architectures.sd15Unet(), Placement.meta()).parameterCount()).isEqualTo(859_520_964L);
        assertThat(new UNet2DConditionModel(Architectures.sdxlUnet(), Placement.meta()).parameterCount()).isEqualTo(2_567_463_684L);
        assertThat(new AutoencoderKL(Architectures.sdVae(), Placement.meta()).parameterCount()).isEqualTo(83_653_863L);
        assertThat(new ClipTextModel(Architectures.clipL(), Placement.meta()).parameterCount()).isEqualTo(123_060_480L);
        assertThat(new ClipTextModel(Architectures.openClipBigG(), Placement.meta()).parameterCount()).isEqualTo(694_659_840L);
    }
}
