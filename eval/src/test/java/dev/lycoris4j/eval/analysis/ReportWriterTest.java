package dev.lycoris4j.eval.analysis;

import dev.lycoris4j.diffusion.image.PngWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report renders: an eval CSV with image folders through the whole analysis into index.html, whose
 * every image exists and decodes. (What the page looks like is checked by eye, not here.)
 */
class ReportWriterTest {
    private static final String[] PROMPT_TYPES = {"out", "trigger", "base model"};
    private static final String[][] CONFIGS = {
            {"lora", "attn-mlp", "1e-4", "8", "4", ""}, {"lora", "full", "5e-4", "32", "16", ""},
            {"lokr", "attn-mlp", "5e-4", "10000", "1", "8"}, {"lokr", "full", "1e-4", "10000", "1", "8"},
            {"full", "attn-mlp", "1e-6", "", "", ""}};
    private static final String[] CONCEPTS = {"people,P,s1", "scene,S,"};

    @TempDir
    Path dir;

    /** Writes an eval CSV with random metrics and three images per trigger folder; returns the CSV. */
    private Path writeResults() throws IOException {
        Random random = new Random(7);
        StringBuilder csv = new StringBuilder("algo,preset,lr,dim,alpha,factor,seed,epoch,category,class,subclass,"
                + "prompt_type,Image Similarity (dinov2-l-fb-padding),Squared Centroid Distance (dinov2-l-fb-padding),"
                + "Text Similarity,Vendi (dinov2-l-fb),Style Loss,images\n");
        int folder = 0;
        for (String[] c : CONFIGS) {
            for (int seed = 1; seed <= 2; seed++) {
                for (int epoch : new int[] {10, 30}) {
                    for (String concept : CONCEPTS) {
                        for (String type : PROMPT_TYPES) {
                            boolean style = type.equals("base model");
                            String images = "";
                            if (type.equals("trigger")) {
                                images = "images/" + folder++;
                                writeImages(dir.resolve(images), random);
                            }
                            csv.append(String.join(",", c)).append(',').append(seed).append(',').append(epoch).append(',')
                                    .append(concept).append(',').append(type).append(',')
                                    .append(style ? "" : random.nextDouble()).append(',')
                                    .append(style ? "" : random.nextDouble()).append(',')
                                    .append(style ? "" : random.nextDouble()).append(',')
                                    .append(style ? "" : 1 + 9 * random.nextDouble()).append(',')
                                    .append(style ? random.nextDouble() : "").append(',').append(images).append('\n');
                        }
                    }
                }
            }
        }
        return Files.writeString(dir.resolve("results.csv"), csv);
    }

    private static void writeImages(Path folder, Random random) throws IOException {
        Files.createDirectories(folder);
        for (int i = 0; i < 3; i++) {
            byte[] rgb = new byte[40 * 30 * 3];
            random.nextBytes(rgb);
            PngWriter.write(folder.resolve(i + ".png"), 40, 30, rgb, Map.of());
        }
    }

    @Test
    void everyFigureOfTheReportExistsAndDecodes() throws IOException {
        Path results = writeResults();
        Path out = dir.resolve("report");
        AnalysisOptions options = AnalysisOptions.of(results, null, out);
        Path index = ReportWriter.write(Analysis.run(options));

        String html = Files.readString(index);
        assertThat(html).contains("<h2>Scatter plots</h2>", "<h2>SHAP analysis</h2>", "<h2>Correlation</h2>",
                "<h2>Generated images</h2>", "lokr-attn-mlp-lr0.0005-d10000-a1-f8");
        List<String> images = new ArrayList<>();
        Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
        while (m.find()) images.add(m.group(1));
        // 5 of the paper's metrics: panels (text, image similarity) and (diversity, SCD); 5 beeswarms;
        // one heatmap; one grid per leaf concept
        assertThat(images).filteredOn(s -> s.startsWith("scatter-")).hasSize(2);
        assertThat(images).filteredOn(s -> s.startsWith("shap-")).hasSize(5);
        assertThat(images).filteredOn(s -> s.startsWith("grid-")).hasSize(2);
        assertThat(images).contains("correlation.png");
        for (String name : images) {
            BufferedImage image = ImageIO.read(out.resolve(name).toFile());
            assertThat(image).as(name).isNotNull();
            assertThat(image.getWidth()).as(name).isGreaterThan(200);
        }
        // per checkpoint × leaf concept: 5 configs × 2 seeds × 2 epochs × 2 concepts, plus the header
        assertThat(Files.readAllLines(out.resolve("table.csv"))).hasSize(5 * 2 * 2 * 2 + 1);
        // summary over classes and seeds: one row per config × epoch
        assertThat(Files.readAllLines(out.resolve("summary_all.csv"))).hasSize(5 * 2 + 1);
    }

    @Test
    void theReferenceFormatReportRendersToo() throws IOException {
        Path results = SyntheticResults.write(dir);
        Path out = dir.resolve("report");
        AnalysisOptions defaults = AnalysisOptions.of(results, dir.resolve("config_mapping.csv"), out);
        AnalysisOptions options = new AnalysisOptions(results, defaults.configs(), null, out, List.of("exp-1000"),
                true, List.of(), AnalysisOptions.Marker.LR_LEVEL, 30, "people", 6, 8);
        Analysis.Result result = Analysis.run(options);
        assertThat(result.notes()).anyMatch(n -> n.contains("excluded before ranking"));
        String html = Files.readString(ReportWriter.write(result));
        assertThat(html).contains("SHAP analysis: category people", "Lr Level").doesNotContain("Generated images");
        assertThat(out.resolve("scatter-1.png")).exists();
    }
}
