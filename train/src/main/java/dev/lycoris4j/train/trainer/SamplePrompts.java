package dev.lycoris4j.train.trainer;

import dev.lycoris4j.diffusion.pipeline.GenerationRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * kohya's sample prompt file ({@code --sample_prompts}): one prompt per line, options after it as {@code --n
 * negative prompt}, {@code --w width}, {@code --h height}, {@code --d seed}, {@code --l cfg scale}, {@code --s
 * steps}; blank lines and lines starting with {@code #} are skipped. Where kohya draws a random seed, prompt k
 * takes the run's seed + k, so samples are reproducible.
 */
final class SamplePrompts {
    private SamplePrompts() {}

    static final int DEFAULT_STEPS = 20;
    static final double DEFAULT_CFG = 7.5;

    /** The requests of a prompt file; {@code size} is the default width and height. */
    static List<GenerationRequest> read(Path file, int width, int height, long seed, int clipSkip, String sampler) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("sample prompt file not found: " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sample prompt file " + file + ": " + e.getMessage(), e);
        }
        List<GenerationRequest> out = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            try {
                out.add(parse(line, width, height, seed + out.size(), clipSkip, sampler));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ":" + (n + 1) + ": " + e.getMessage(), e);
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + " holds no prompt");
        return out;
    }

    static GenerationRequest parse(String line, int width, int height, long seed, int clipSkip, String sampler) {
        String[] parts = line.split(" --");
        String negative = "";
        int steps = DEFAULT_STEPS;
        double cfg = DEFAULT_CFG;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.isEmpty()) continue;
            String value = p.substring(1).strip();
            try {
                switch (Character.toLowerCase(p.charAt(0))) {
                    case 'n' -> negative = value;
                    case 'w' -> width = Integer.parseInt(value);
                    case 'h' -> height = Integer.parseInt(value);
                    case 'd' -> seed = Long.parseLong(value);
                    case 'l' -> cfg = Double.parseDouble(value);
                    case 's' -> steps = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("unknown prompt option '--" + p + "' (use --n, --w, --h, --d, --l, --s)");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option '--" + p + "' needs a number", e);
            }
        }
        return new GenerationRequest(parts[0].strip(), negative, steps, cfg, seed, width, height, 1, clipSkip,
                sampler.toLowerCase(Locale.ROOT));
    }
}
