package dev.lycoris4j.train.network;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A module-name rule of a preset (target name, exclusion, {@code name_algo_map} key), matched against a
 * module's dotted path the way the reference matches it: by default a regular expression anchored at the
 * start only (Python's {@code re.match}), so {@code "down_blocks.0"} also selects everything below it; with
 * {@code use_fnmatch} a shell glob that must cover the whole path ({@code fnmatch.fnmatch}: {@code *} any
 * run including dots, {@code ?} one character, {@code [seq]}, {@code [!seq]}).
 */
public final class NamePattern {
    private final String source;
    private final boolean glob;
    private final Pattern regex;

    private NamePattern(String source, boolean glob, Pattern regex) {
        this.source = source;
        this.glob = glob;
        this.regex = regex;
    }

    /** @throws IllegalArgumentException naming the pattern when it is not a valid regular expression */
    public static NamePattern of(String source, boolean glob) {
        if (glob) return new NamePattern(source, true, Pattern.compile(globToRegex(source), Pattern.DOTALL));
        try {
            return new NamePattern(source, false, Pattern.compile(source));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid module-name pattern '" + source + "': " + e.getDescription(), e);
        }
    }

    public boolean matches(String path) {
        return glob ? regex.matcher(path).matches() : regex.matcher(path).lookingAt();
    }

    /** fnmatch.translate: only *, ? and bracket sets are special; everything else is literal. */
    private static String globToRegex(String glob) {
        StringBuilder out = new StringBuilder();
        int i = 0, n = glob.length();
        while (i < n) {
            char c = glob.charAt(i++);
            if (c == '*') {
                out.append(".*");
            } else if (c == '?') {
                out.append('.');
            } else if (c == '[') {
                int j = i;
                if (j < n && glob.charAt(j) == '!') j++;
                if (j < n && glob.charAt(j) == ']') j++;
                while (j < n && glob.charAt(j) != ']') j++;
                if (j >= n) {
                    out.append("\\["); // an unclosed bracket is a literal '[', as in fnmatch
                } else {
                    String set = glob.substring(i, j).replace("\\", "\\\\");
                    i = j + 1;
                    if (set.startsWith("!")) set = "^" + set.substring(1);
                    else if (set.startsWith("^")) set = "\\" + set;
                    out.append('[').append(set).append(']');
                }
            } else {
                out.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return out.toString();
    }

    @Override public boolean equals(Object o) {
        return o instanceof NamePattern p && p.source.equals(source) && p.glob == glob;
    }

    @Override public int hashCode() {
        return source.hashCode() * 31 + Boolean.hashCode(glob);
    }

    @Override public String toString() {
        return (glob ? "glob:" : "regex:") + source;
    }
}
