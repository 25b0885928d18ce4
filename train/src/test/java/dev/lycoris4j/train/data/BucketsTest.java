package dev.lycoris4j.train.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Bucket lists and choices against kohya's make_bucket_resolutions / select_bucket worked by hand. */
class BucketsTest {

    private static Resolution r(int w, int h) {
        return new Resolution(w, h);
    }

    @Test
    void kohyaDefaultsAt512GiveTheHandWorkedList() {
        // For each width w = 256, 320, …, 1024: h = min(1024, ⌊⌊262144 / w⌋ / 64⌋·64), kept with its transpose when
        // h ≥ 256; plus the 512 square. E.g. w = 320: ⌊262144/320⌋ = 819 → 768; w = 832: 315 → 256.
        List<Resolution> buckets = Buckets.resolutions(Resolution.square(512), 256, 1024, 64);
        assertThat(buckets).containsExactly(r(256, 832), r(256, 896), r(256, 960), r(256, 1024), r(320, 704), r(320, 768),
                r(384, 640), r(448, 576), r(512, 512), r(576, 448), r(640, 384), r(704, 320), r(768, 320), r(832, 256),
                r(896, 256), r(960, 256), r(1024, 256));
        for (Resolution b : buckets) {
            assertThat(b.width() % 64).isZero();
            assertThat(b.height() % 64).isZero();
            assertThat(b.area()).isLessThanOrEqualTo(512L * 512);
        }
    }

    @Test
    void thePapersBucketsFrom320To960() {
        assertThat(Buckets.resolutions(Resolution.square(512), 320, 960, 64)).containsExactly(r(320, 704), r(320, 768),
                r(384, 640), r(448, 576), r(512, 512), r(576, 448), r(640, 384), r(704, 320), r(768, 320));
    }

    @Test
    void anImageGoesToTheClosestAspectRatioResizedToCoverWithRoundHalfUp() {
        Buckets buckets = new Buckets(BucketSettings.kohya(Resolution.square(512)));
        // 800×600 (4:3): closest ratio 576/448 = 1.2857; the image is wider, so heights match: scale 448/600,
        // width 800·0.74667 + 0.5 = 597.8 → 597.
        Buckets.Choice c = buckets.select(800, 600);
        assertThat(c.bucket()).isEqualTo(r(576, 448));
        assertThat(c.resized()).isEqualTo(r(597, 448));
        assertThat(c.aspectError()).isCloseTo(576.0 / 448 - 800.0 / 600, within(1e-12));
        // 1000×600 has exactly 640/384's ratio: scale 0.64 → 640×384.
        assertThat(buckets.select(1000, 600)).extracting(Buckets.Choice::bucket, Buckets.Choice::resized)
                .containsExactly(r(640, 384), r(640, 384));
        // An image of a bucket's own size stays as it is.
        assertThat(buckets.select(384, 640).resized()).isEqualTo(r(384, 640));
    }

    @Test
    void withoutUpscalingLargeImagesShrinkToTheAreaAndSmallOnesOnlyLoseTheirRemainder() {
        Buckets buckets = new Buckets(BucketSettings.of(Resolution.square(512), true, 256, 1024, 64, true));
        assertThat(buckets.predefined()).isEmpty();
        // 2000×1000: √(262144·2) = 724.08 → 704 (steps of 64); its height 352 → 320 gives ratio 2.2, while the
        // height 362.04 → 320 with width 640 gives exactly 2: the second wins.
        Buckets.Choice large = buckets.select(2000, 1000);
        assertThat(large.resized()).isEqualTo(r(640, 320));
        assertThat(large.bucket()).isEqualTo(r(640, 320));
        Buckets.Choice small = buckets.select(300, 200);
        assertThat(small.resized()).isEqualTo(r(300, 200));
        assertThat(small.bucket()).isEqualTo(r(256, 192));
    }

    @Test
    void withBucketsOffEveryImageCoversTheResolution() {
        Buckets buckets = new Buckets(BucketSettings.of(Resolution.square(512), false, 256, 1024, 64, false));
        Buckets.Choice c = buckets.select(800, 600);
        assertThat(c.bucket()).isEqualTo(r(512, 512));
        assertThat(c.resized()).isEqualTo(r(683, 512)); // 800·512/600 = 682.67 → 683
    }

    @Test
    void minAndMaxAreRoundedToTheStepsAndMustEncloseTheResolution() {
        BucketSettings s = BucketSettings.of(Resolution.square(512), true, 300, 1000, 64, false);
        assertThat(s.minSize()).isEqualTo(256);
        assertThat(s.maxSize()).isEqualTo(1024);
        assertThatThrownBy(() -> BucketSettings.of(Resolution.square(512), true, 640, 1024, 64, false))
                .hasMessageContaining("min_bucket_reso 640");
    }
}
