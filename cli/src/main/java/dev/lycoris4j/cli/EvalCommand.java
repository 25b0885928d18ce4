package dev.lycoris4j.cli;

import dev.lycoris4j.eval.run.EvalConfig;
import dev.lycoris4j.eval.run.EvalRunner;
import dev.lycoris4j.eval.run.EvalToml;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "eval", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        header = "Evaluate adapter checkpoints as LyCORIS-evaluation does: generate, score, write the results CSV.",
        description = {"For every checkpoint x dataset leaf x prompt type (train, trigger, alter, style, agnostic) of the",
                "config: generates the images not on disk yet, scores them (image similarity, centroid distance, Vendi,",
                "text similarity, style loss) and writes one row per combination into the results CSV that",
                "'lycoris analyze' reads. Stopped runs resume: present images are kept, complete rows are skipped.",
                "Config format: docs/evaluation-run.md."},
        footerHeading = "%nExamples:%n",
        footer = {"  lycoris eval --config eval.toml",
                "  lycoris eval --config eval.toml --write-prompts out/prompts   (only write each leaf's prompt files)"})
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the eval.toml")
    Path config;

    @Option(names = "--rescore", description = "score every row again, even those already complete in the CSV")
    boolean rescore;

    @Option(names = "--write-prompts", paramLabel = "DIR",
            description = "write each leaf's prompt files (the reference's prompt tree) to DIR and stop")
    Path writePrompts;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        EvalConfig c = EvalToml.read(Errors.readableFile(config, "config"));
        EvalRunner runner = new EvalRunner(c, line -> {
            out.println(line);
            out.flush();
        });
        if (writePrompts != null) {
            List<Path> files = runner.writePrompts(writePrompts);
            out.println("wrote " + files.size() + " prompt files under " + writePrompts);
            return 0;
        }
        EvalRunner.Summary s = runner.run(rescore);
        out.println("done: " + s.generated() + " images generated, " + s.scored() + " rows scored, " + s.upToDate()
                + " rows up to date; results in " + c.results());
        return 0;
    }
}
