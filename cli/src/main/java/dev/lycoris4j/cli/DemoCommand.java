package dev.lycoris4j.cli;

import dev.lycoris4j.adapters.io.AdapterFile;
import dev.lycoris4j.adapters.io.AdapterSummary;
import dev.lycoris4j.adapters.merge.MergeReport;
import dev.lycoris4j.adapters.merge.Merger;
import dev.lycoris4j.adapters.merge.WeightedAdapter;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.tensor.Tensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        header = "Build a small seeded example, then inspect and merge it (the main job until training exists).",
        description = {"Build a small seeded example (a tiny SD-like checkpoint, a LoRA and a LoKr adapter file),",
                "then inspect both adapters and merge them into the checkpoint, printing every step."},
        footerHeading = "%nExample:%n",
        footer = "  lycoris demo -o out/demo --seed 7")
final class DemoCommand implements Callable<Integer> {
    private static final double LORA_SCALE = 1.0;
    private static final double LOKR_SCALE = 0.5;

    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "out/demo",
            description = "where to write the example files (default: ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--seed", defaultValue = "42", description = "seed of every value in the example (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        DemoExample.Written example = DemoExample.build(dir, seed);
        out.printf("lycoris demo: seed %d, files in %s%n", seed, dir);
        out.printf("  %s  tiny SD-like checkpoint, %d tensors, fp32%n", example.base(), example.baseTensors());
        out.printf("  %s  LoRA on %d layers, saved in fp16%n", example.lora(), example.loraModules());
        out.printf("  %s  LoKr on %d UNet layers, saved in fp32%n%n", example.lokr(), example.lokrModules());

        AdapterFile lora = AdapterFile.read(example.lora());
        AdapterFile lokr = AdapterFile.read(example.lokr());
        out.printf("== lycoris inspect %s ==%n%s%n", example.lora(), InspectOutput.text(AdapterSummary.of(lora)));
        out.printf("== lycoris inspect %s ==%n%s%n", example.lokr(), InspectOutput.text(AdapterSummary.of(lokr)));

        Path merged = dir.resolve("merged.safetensors");
        out.printf("== lycoris merge --base %s --adapter %s:%s --adapter %s:%s -o %s ==%n", example.base(),
                example.lora(), LORA_SCALE, example.lokr(), LOKR_SCALE, merged);
        MergeReport report = Merger.merge(example.base(),
                List.of(new WeightedAdapter(lora, LORA_SCALE), new WeightedAdapter(lokr, LOKR_SCALE)), merged, null);
        out.print(MergeOutput.text(report));
        printChanges(out, report);
        return report.allMatched() ? 0 : Errors.BAD_INPUT;
    }

    /** How far each merged tensor moved from the base: every adapted weight should, nothing else. */
    private static void printChanges(PrintWriter out, MergeReport report) throws Exception {
        out.println("largest change per merged tensor, max |W' - W|:");
        try (SafetensorsFile base = SafetensorsFile.open(report.base());
             SafetensorsFile merged = SafetensorsFile.open(report.output())) {
            for (String name : report.changedTensors()) {
                out.printf("  %-70s %.6f%n", name, Tensors.maxAbsDiff(merged.tensor(name), base.tensor(name)));
            }
        }
    }
}
