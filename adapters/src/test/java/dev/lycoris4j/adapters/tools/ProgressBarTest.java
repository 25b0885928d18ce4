package dev.lycoris4j.adapters.tools;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBarTest {

    private static String run(boolean terminal, int total) {
        StringWriter out = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(out), "extract", terminal);
        for (int i = 0; i < total; i++) bar.step(i, total, "module" + i);
        bar.step(total, total, "");
        return out.toString();
    }

    @Test
    void plainTextPrintsOneLinePerTenthOfTheWork() {
        String[] lines = run(false, 25).split("\n");

        assertThat(lines).hasSize(11);
        assertThat(lines[0]).isEqualTo("extract: 0/25 (0%) module0");
        assertThat(lines[1]).isEqualTo("extract: 3/25 (10%) module3");
        assertThat(lines[10]).isEqualTo("extract: 25/25 (100%)");
    }

    @Test
    void aTerminalRedrawsOneLineAndEndsIt() {
        String out = run(true, 4);

        assertThat(out).doesNotContain("\n" + "extract").endsWith("\n");
        assertThat(out.split("\r", -1)).hasSize(6); // a leading empty piece, then 5 redraws
        assertThat(out).contains("extract [###############               ] 2/4 module2");
        assertThat(out).contains("[##############################] 4/4");
    }
}
