package dev.lycoris4j.eval.prompts;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-file image allocation of spec §1.4, worked by hand. */
class ImageAllocationTest {

    @Test
    void sevenPromptsShareOneHundredImages() {
        ImageAllocation a = new ImageAllocation(100, 7);
        // 100 // 7 = 14, 100 % 7 = 2: prompts 0 and 1 get 15, prompts 2..6 get 14
        assertThat(IntStream.range(0, 7).map(a::count).toArray()).containsExactly(15, 15, 14, 14, 14, 14, 14);
        assertThat(IntStream.range(0, 7).map(a::first).toArray()).containsExactly(0, 15, 30, 44, 58, 72, 86);
        int[] prompt = a.promptOfImage();
        assertThat(prompt).hasSize(100);
        assertThat(prompt[14]).isEqualTo(0);
        assertThat(prompt[15]).isEqualTo(1);
        assertThat(prompt[29]).isEqualTo(1);
        assertThat(prompt[30]).isEqualTo(2);
        assertThat(prompt[99]).isEqualTo(6);
        assertThat(a.digits()).isEqualTo(3);
    }

    @Test
    void theReferenceTableCounts() {
        // spec §1.3: <alter> 10 x 10, <style> 5 x 20, <trigger> 1 x 100
        assertThat(new ImageAllocation(100, 10).count(9)).isEqualTo(10);
        assertThat(new ImageAllocation(100, 5).count(4)).isEqualTo(20);
        assertThat(new ImageAllocation(100, 1).count(0)).isEqualTo(100);
    }

    @Test
    void promptsBeyondTheImageCountGetNone() {
        ImageAllocation a = new ImageAllocation(3, 5);
        assertThat(IntStream.range(0, 5).map(a::count).toArray()).containsExactly(1, 1, 1, 0, 0);
        assertThat(a.promptOfImage()).containsExactly(0, 1, 2);
        assertThat(a.digits()).isEqualTo(1);
        // 150 captions, 100 images: the first 100 captions get one image each
        assertThat(new ImageAllocation(100, 150).count(99)).isEqualTo(1);
        assertThat(new ImageAllocation(100, 150).count(100)).isZero();
    }

    @Test
    void badSizesAreErrors() {
        assertThatThrownBy(() -> new ImageAllocation(0, 3)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new ImageAllocation(3, 0)).hasMessageContaining("at least one prompt");
        assertThatThrownBy(() -> new ImageAllocation(3, 2).count(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
