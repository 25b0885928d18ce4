package dev.lycoris4j.cli;

import dev.lycoris4j.adapters.io.AdapterFile;
import dev.lycoris4j.adapters.io.AdapterSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "inspect", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        header = "Show an adapter file's modules, their algorithm, rank, alpha, scale and parameters.",
        description = {"Show an adapter file: per module the algorithm, tensor shapes, rank or factor, alpha and scale,",
                "dtype and parameter count; then totals, keys that form no module, and the metadata."},
        footerHeading = "%nExample:%n",
        footer = "  lycoris inspect out/demo/lora.safetensors --json")
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "adapter file (.safetensors)")
    Path file;

    @Option(names = "--json", description = "print JSON (schema in docs/cli.md) instead of text")
    boolean json;

    @Override
    public Integer call() throws Exception {
        AdapterSummary summary = AdapterSummary.of(AdapterFile.read(Errors.readableFile(file, "adapter file")));
        spec.commandLine().getOut().print(json ? InspectOutput.json(summary) : InspectOutput.text(summary));
        return 0;
    }
}
