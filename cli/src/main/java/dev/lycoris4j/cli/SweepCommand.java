package dev.lycoris4j.cli;

import dev.lycoris4j.eval.run.EvalConfig;
import dev.lycoris4j.train.sweep.ChildProcessLauncher;
import dev.lycoris4j.train.sweep.RunStatus;
import dev.lycoris4j.train.sweep.SweepConfig;
import dev.lycoris4j.train.sweep.SweepRunner;
import dev.lycoris4j.train.sweep.SweepToml;
import dev.lycoris4j.train.trainer.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "sweep", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        header = "Train and evaluate a grid of runs: algorithms x one varied hyperparameter x seeds, at checkpoint epochs.",
        description = {"Runs every run of the grid in sweep.toml one at a time: trains it in a child process",
                "('lycoris train', output in runs/<run>/train.out), then evaluates its checkpoint epochs into one",
                "results CSV for 'lycoris analyze'. Interrupted in any way, the same command continues: trained runs",
                "are kept, an interrupted one resumes from its state, evaluation keeps its images and rows.",
                "Ctrl-C stops the training in progress with its state saved. Config format: docs/sweep.md."},
        footerHeading = "%nExamples:%n",
        footer = {"  lycoris sweep --config sweep.toml --dry-run   (list the runs and where each stands)",
                "  lycoris sweep --config sweep.toml"})
final class SweepCommand implements Callable<Integer> {
    /** The shell's code for a run stopped by Ctrl-C (128 + SIGINT). */
    private static final int INTERRUPTED = 130;
    /** JavaCPP's memory limits, which the launcher script lifts; the child trains under the same. */
    private static final List<String> JAVACPP_PROPERTIES = List.of("org.bytedeco.javacpp.maxBytes",
            "org.bytedeco.javacpp.maxPhysicalBytes");

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the sweep.toml")
    Path config;

    @Option(names = "--dry-run", description = "list the runs, where each stands and its CSV labels; train and evaluate nothing")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SweepConfig c = SweepToml.read(Errors.readableFile(config, "sweep config"));
        SweepRunner runner = new SweepRunner(c, new ChildProcessLauncher(lycorisCommand()), line -> {
            out.println(line);
            out.flush();
        });
        if (dryRun) {
            list(c, runner.status(), out);
            return 0;
        }
        SweepRunner.Result result;
        try (Trainer.Registration ignored = runner.stopOnShutdown()) {
            result = runner.run();
        }
        return switch (result.outcome()) {
            case COMPLETED -> {
                out.println("analyse the results with: lycoris analyze " + c.eval().results() + " -o " + c.output().resolve("report"));
                yield 0;
            }
            case STOPPED -> INTERRUPTED;
            case FAILED -> throw new Errors.BadInput(result.failures().size() + " of " + c.runs().size() + " runs failed ("
                    + String.join("; ", result.failures()) + "); run the sweep again to retry them");
        };
    }

    private static void list(SweepConfig c, List<RunStatus> statuses, PrintWriter out) {
        out.printf(Locale.ROOT, "%d run%s, checkpoint epochs %s, results in %s%n", statuses.size(), statuses.size() == 1 ? "" : "s",
                c.epochs(), c.eval().results());
        int width = 0;
        for (RunStatus s : statuses) width = Math.max(width, s.run().name().length());
        for (RunStatus s : statuses) {
            EvalConfig.Labels l = SweepConfig.labels(s.run(), c.lastEpoch());
            out.printf(Locale.ROOT, "  %-" + width + "s  %s %s lr %s dim %s alpha %s factor %s seed %s: %s%n", s.run().name(),
                    l.algo(), l.preset(), number(l.lr()), number(l.dim()), number(l.alpha()), number(l.factor()), l.seed(),
                    s.describe());
        }
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "-" : v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /**
     * The command that runs this command line in a fresh JVM: the same java binary and class path, native access
     * enabled as the launcher script does, and JavaCPP's memory limits as this JVM has them.
     */
    static List<String> lycorisCommand() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        for (String property : JAVACPP_PROPERTIES) {
            String value = System.getProperty(property);
            if (value != null) command.add("-D" + property + "=" + value);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        return command;
    }
}
