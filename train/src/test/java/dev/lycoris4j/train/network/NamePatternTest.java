package dev.lycoris4j.train.network;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Python's re.match (anchored at the start only) and fnmatch.fnmatch (whole string) semantics. */
class NamePatternTest {

    @Test
    void regexesMatchAPrefixOfThePath() {
        NamePattern p = NamePattern.of("time_embedding.linear_1", false);
        assertThat(p.matches("time_embedding.linear_1")).isTrue();
        assertThat(p.matches("time_embedding.linear_10")).isTrue();   // re.match does not anchor the end
        assertThat(p.matches("x.time_embedding.linear_1")).isFalse(); // but does anchor the start
        assertThat(NamePattern.of("out.2", false).matches("out_2")).isTrue(); // '.' is any character
        assertThat(NamePattern.of("down_blocks\\.[01]\\.", false).matches("down_blocks.1.resnets.0.conv1")).isTrue();
    }

    @Test
    void globsMatchTheWholePath() {
        NamePattern p = NamePattern.of("*.attn?.to_[qk]", true);
        assertThat(p.matches("down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q")).isTrue();
        assertThat(p.matches("mid_block.attn2.to_k")).isTrue();
        assertThat(p.matches("mid_block.attn2.to_v")).isFalse();
        assertThat(p.matches("mid_block.attn2.to_q.lora")).isFalse();
        assertThat(NamePattern.of("conv_in", true).matches("conv_in_extra")).isFalse();
        assertThat(NamePattern.of("a[!0-9]c", true).matches("abc")).isTrue();
        assertThat(NamePattern.of("a[!0-9]c", true).matches("a1c")).isFalse();
        assertThat(NamePattern.of("a.c", true).matches("abc")).isFalse(); // '.' is literal in a glob
        assertThat(NamePattern.of("a[b", true).matches("a[b")).isTrue(); // an unclosed bracket is literal
    }
}
