package dev.lycoris4j.eval.analysis;

import dev.lycoris4j.core.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Both CSV formats, the reference's folder parsing, and one-line errors that locate the bad cell. */
class ResultsReaderTest {
    @TempDir
    Path dir;

    @Test
    void folderParsingFollowsTheReference() {
        ReferenceFolder step = ReferenceFolder.parse(
                "ddim-v1-5-pruned-emaonly-exp-1001-sd15-lora8a4-a-000010/people/Admiral_Piett/figurine");
        assertThat(step).isEqualTo(new ReferenceFolder("exp-1001-sd15-lora8a4", "a", 10, 1,
                new Concept("people", "Admiral_Piett", "figurine")));
        // a final checkpoint (seed only: step 50), a weight folder (85 → 0.85), a sub-class with a comma
        ReferenceFolder weighted = ReferenceFolder.parse(
                "85/ddim-v1-5-pruned-emaonly-exp-1031-sd15-nt-c/people/Saw_Gerrera/afro, illustration");
        assertThat(weighted).isEqualTo(new ReferenceFolder("exp-1031-sd15-nt", "c", 50, 0.85,
                new Concept("people", "Saw_Gerrera", "afro, illustration")));
        assertThat(ReferenceFolder.parse("m-exp-7-b-000030/scene/scene_canal").concept().subclass()).isEmpty();
        assertThatThrownBy(() -> ReferenceFolder.parse("m-exp-7-a-0000x0/scene/scene_canal"))
                .hasMessageContaining("step '0000x0' is not an integer");
        assertThatThrownBy(() -> ReferenceFolder.parse("m-exp-7-a/scene")).hasMessageContaining("not a leaf");
    }

    @Test
    void readsTheReferenceMetricsCsvOfTheGoldenTree() throws IOException {
        Path configs = Files.writeString(dir.resolve("configs.csv"), """
                Config,Algo,Preset,Lr,Dim,Alpha,Factor,Caption
                exp-1001-sd15-lora8a4,lora,attn-mlp,5e-4,8,4,N/A,.txt
                """);
        ResultTable table = ResultsReader.read(Golden.path("eval/metrics_tree_expected.csv"), configs, null);
        // 2 encoders × 3 modes × 3 conditions × (similarity, distance) + Vendi 2 × 3 + Text Similarity 3
        assertThat(table.metrics()).hasSize(36 + 6 + 3);
        assertThat(table.rows()).hasSize(4);
        assertThat(table.rows()).extracting(ResultRow::config).containsOnly("exp-1001-sd15-lora8a4", "exp-1021-sd15-lokrf8");
        ResultRow lokr = table.rows().stream().filter(r -> r.config().equals("exp-1021-sd15-lokrf8")).findFirst().orElseThrow();
        assertThat(lokr.seed()).isEqualTo("b");
        assertThat(lokr.step()).isEqualTo(50);
        // the inner join keeps the two rows of the configuration the table lists
        assertThat(table.joinConfigs(table.configs()).rows()).hasSize(2);
        assertThat(table.metrics()).contains(new MetricKey("Text Similarity", "CLIP", "in"),
                new MetricKey("Vendi", "DINOv2", "out"), new MetricKey("Image Similarity", "CLIP-padding", "trigger"));
    }

    @Test
    void referenceImagesAreThePromptFoldersOfTheGeneratedLeaf() throws IOException {
        String folder = "ddim-exp-1-a-000010/scene/scene_canal";
        Files.createDirectories(dir.resolve("gen").resolve(folder).resolve("triggeronly"));
        Path metrics = Files.writeString(dir.resolve("m.csv"), "Folder,Vendi (dinov2-l-fb) (trigger)\n" + folder + ",2\n");
        Path configs = Files.writeString(dir.resolve("c.csv"), "Config,Algo,Preset,Lr,Dim,Alpha,Factor\n");
        ResultRow row = ResultsReader.read(metrics, configs, dir.resolve("gen")).rows().getFirst();
        assertThat(row.imageFolders()).containsOnlyKeys("trigger");
        assertThat(row.imageFolders().get("trigger")).isEqualTo(dir.resolve("gen").resolve(folder).resolve("triggeronly"));
    }

    private Path evalCsv(String body) throws IOException {
        return Files.writeString(dir.resolve("results.csv"),
                "algo,preset,lr,dim,alpha,factor,seed,epoch,category,class,subclass,prompt_type,"
                        + "Image Similarity (dinov2-l-fb-padding),Style Loss,images\n" + body);
    }

    @Test
    void evalCsvRowsOfOneCheckpointAndConceptBecomeOneRow() throws IOException {
        Path csv = evalCsv("""
                lora,attn-mlp,5e-4,8,4,,1,10,people,P,,out,0.5,,imgs/a
                lora,attn-mlp,0.0005,8,4,,1,10,people,P,,base model,,0.25,
                lokr,full,1e-3,10000,1,8,1,10,people,P,,out,0.75,,
                """);
        ResultTable table = ResultsReader.read(csv, null, null);
        // Style Loss of prompt types other than base model and Image Similarity of base model are all empty
        assertThat(table.metrics()).containsExactly(new MetricKey("Image Similarity", "DINOv2-padding", "out"),
                new MetricKey("Style Loss", "Vgg19", "base model"));
        assertThat(table.rows()).hasSize(2);
        ResultRow lora = table.rows().getFirst();
        assertThat(lora.config()).isEqualTo("lora-attn-mlp-lr0.0005-d8-a4");
        assertThat(lora.values()).containsExactly(0.5, 0.25);
        assertThat(lora.imageFolders()).containsOnlyKeys("out");
        assertThat(lora.imageFolders().get("out")).isEqualTo(dir.toAbsolutePath().resolve("imgs/a"));
        Config lokr = table.configs().get("lokr-full-lr0.001-d10000-a1-f8");
        assertThat(lokr.factor()).isEqualTo(8);
        assertThat(table.configs().get("lora-attn-mlp-lr0.0005-d8-a4").factor()).isNaN();
    }

    @Test
    void errorsNameFileLineAndColumn() throws IOException {
        Path duplicate = evalCsv("""
                lora,attn-mlp,5e-4,8,4,,1,10,people,P,,out,0.5,,
                lora,attn-mlp,5e-4,8,4,,1,10,people,P,,out,0.6,,
                """);
        assertThatThrownBy(() -> ResultsReader.read(duplicate, null, null))
                .hasMessage(duplicate + ":3:1: the same checkpoint, concept and prompt_type as line 2");
        Path badType = evalCsv("lora,attn-mlp,5e-4,8,4,,1,10,people,P,,alter,0.5,,\n");
        assertThatThrownBy(() -> ResultsReader.read(badType, null, null))
                .hasMessage(badType + ":2:40: prompt_type 'alter' is not one of in, out, trigger, base model, agnostic");
        Path badNumber = evalCsv("lora,attn-mlp,5e-4,8,4,,1,10,people,P,,out,high,,\n");
        assertThatThrownBy(() -> ResultsReader.read(badNumber, null, null))
                .hasMessage(badNumber + ":2:44: 'high' in column 'Image Similarity (dinov2-l-fb-padding)' is not a number");
        Path badFolder = Files.writeString(dir.resolve("m.csv"), "Folder,Vendi (dinov2-l-fb) (in)\n\"x-exp-1-a-01q/c/k\",1\n");
        Path configs = Files.writeString(dir.resolve("c.csv"), "Config,Algo,Preset,Lr,Dim,Alpha,Factor\n");
        assertThatThrownBy(() -> ResultsReader.read(badFolder, configs, null))
                .hasMessage(badFolder + ":2:1: model folder 'x-exp-1-a-01q': step '01q' is not an integer");
        assertThatThrownBy(() -> ResultsReader.read(badFolder, null, null))
                .hasMessageContaining("config table (config_mapping.csv) is required");
    }

    @Test
    void csvQuotingAndLocations() throws IOException {
        Path file = Files.writeString(dir.resolve("q.csv"), "a,b\n\"x, \"\"y\"\"\",2\r\n\n\"multi\nline\",3\n");
        CsvTable csv = CsvTable.read(file);
        assertThat(csv.rows()).extracting(r -> r.cell(0)).containsExactly("x, \"y\"", "multi\nline");
        assertThat(csv.rows().get(1).lines()).containsExactly(4, 5);
        assertThat(csv.rows().get(1).columns()).containsExactly(1, 7);
        assertThat(CsvTable.formatRow(List.of("x, \"y\"", "2"))).isEqualTo("\"x, \"\"y\"\"\",2\n");
        Path open = Files.writeString(dir.resolve("o.csv"), "a,b\n1,\"never closed\n");
        assertThatThrownBy(() -> CsvTable.read(open)).hasMessage(open + ":2:3: quoted cell is never closed");
        Path ragged = Files.writeString(dir.resolve("r.csv"), "a,b\n1,2,3\n");
        assertThatThrownBy(() -> CsvTable.read(ragged)).hasMessage(ragged + ":2:1: 3 cells, but the header has 2");
    }
}
