package dev.lycoris4j.eval.run;

import dev.lycoris4j.eval.analysis.Concept;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The leaf concepts of an evaluation dataset laid out as LyCORIS-evaluation's (spec §1.2):
 * {@code <category>/<class>/} holds the images of a class, or one folder per sub-class
 * ({@code <category>/<class>/<subclass>/}, a sub-class named {@code none} adding nothing to the trigger).
 */
public final class DatasetLeaves {
    /** A leaf concept and its folder of training images. */
    public record Leaf(Concept concept, Path dir) {}

    private DatasetLeaves() {}

    /**
     * @param selectors dataset paths ({@code anime}, {@code anime/abukuma}, {@code anime/abukuma/none}) whose
     *                  leaves to keep; empty keeps all. A selector matching nothing is an error.
     */
    public static List<Leaf> find(Path dataset, List<String> selectors) {
        if (!Files.isDirectory(dataset)) throw new IllegalArgumentException("dataset folder not found: " + dataset);
        List<Leaf> all = new ArrayList<>();
        for (Path category : folders(dataset)) {
            for (Path cls : folders(category)) {
                List<Path> subclasses = folders(cls);
                String c = category.getFileName().toString();
                String k = cls.getFileName().toString();
                if (subclasses.isEmpty()) {
                    all.add(new Leaf(new Concept(c, k, ""), cls));
                } else {
                    for (Path sub : subclasses) all.add(new Leaf(new Concept(c, k, sub.getFileName().toString()), sub));
                }
            }
        }
        if (all.isEmpty()) throw new IllegalArgumentException(dataset + ": no <category>/<class> folders");
        if (selectors.isEmpty()) return all;
        List<Leaf> out = new ArrayList<>();
        for (String selector : selectors) {
            List<String> parts = Arrays.asList(selector.split("/"));
            List<Leaf> matched = all.stream().filter(l -> isUnder(l.concept(), parts)).toList();
            if (matched.isEmpty()) {
                throw new IllegalArgumentException("classes: '" + selector + "' matches no <category>/<class>[/<subclass>] folder of " + dataset);
            }
            for (Leaf l : matched) if (!out.contains(l)) out.add(l);
        }
        return out;
    }

    private static boolean isUnder(Concept c, List<String> parts) {
        List<String> path = c.hasSubclass() ? List.of(c.category(), c.cls(), c.subclass()) : List.of(c.category(), c.cls());
        return parts.size() <= path.size() && path.subList(0, parts.size()).equals(parts);
    }

    /** Sub-folders, sorted by name; hidden ones are not part of the dataset. */
    private static List<Path> folders(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
