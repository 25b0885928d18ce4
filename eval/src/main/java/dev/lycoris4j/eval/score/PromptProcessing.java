package dev.lycoris4j.eval.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * LyCORIS-evaluation's prompt processing before CLIP text encoding (spec §1.5), a pure function of
 * one prompt-file line. With the evaluation's replacement table it reproduces the repository's
 * {@code *.txt-eval} files; with no table (the default for arbitrary prompts, where substrings such
 * as "lun" or "ulf" would be mangled) only the clean-up steps run.
 *
 * <p>Step 6 (appending a newline) is left out: it does not change the tokens.
 */
public record PromptProcessing(List<Replacement> replacements) {

    /** A plain substring replacement; {@code to} empty deletes. */
    public record Replacement(String from, String to) {
        public Replacement {
            if (from.isEmpty()) throw new IllegalArgumentException("a replacement needs a non-empty source text");
        }
    }

    /** Clean-up steps only. */
    public static final PromptProcessing CLEANUP_ONLY = new PromptProcessing(List.of());

    public PromptProcessing {
        replacements = List.copyOf(replacements);
    }

    /**
     * The ordered table {@code text_eval_replacements_in_order} ([[from, to], ...]) of the shared
     * {@code lycoris-eval-prompts.json} (LyCORIS-evaluation's token_mapping_eval.csv).
     */
    public static PromptProcessing fromLycorisEvalJson(Path json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(json + ": cannot read prompt table: " + e.getMessage(), e);
        }
        JsonNode table = root == null ? null : root.get("text_eval_replacements_in_order");
        if (table == null || !table.isArray()) {
            throw new IllegalArgumentException(json + ": no 'text_eval_replacements_in_order' list");
        }
        List<Replacement> out = new ArrayList<>();
        for (JsonNode pair : table) {
            if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isTextual()) {
                throw new IllegalArgumentException(json + ": replacement entries must be [from, to] string pairs, got " + pair);
            }
            out.add(new Replacement(pair.get(0).asText(), pair.get(1).asText()));
        }
        return new PromptProcessing(out);
    }

    /**
     * Processes one line as the reference reads it from a file, <em>including</em> its trailing
     * newline when it has one (that newline is what keeps a trailing comma in step 2).
     */
    public String process(String line) {
        String s = line;
        for (Replacement r : replacements) s = s.replace(r.from(), r.to());     // 1. in table order
        s = strip(s);                                                            // 2. spaces and commas
        if (s.startsWith("of ")) s = s.substring(3);                             // 3. "pgs style of a city"
        s = collapseWhitespace(s);                                               // 4. ' '.join(s.split())
        return s.replace(", , ", ", ");                                          // 5. one pass
    }

    /** Lines as Python's text-mode iteration yields them: \r\n and \r read as \n, each line keeping its \n. */
    public static List<String> lines(String content) {
        String text = content.replace("\r\n", "\n").replace('\r', '\n');
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            int next = end < 0 ? text.length() : end + 1;
            out.add(text.substring(start, next));
            start = next;
        }
        return out;
    }

    /** {@link #lines} of a UTF-8 file, each {@link #process}ed. */
    public List<String> processFile(Path file) {
        String content;
        try {
            content = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read prompts: " + e.getMessage(), e);
        }
        List<String> out = new ArrayList<>();
        for (String line : lines(content)) out.add(process(line));
        return out;
    }

    /** Python's {@code str.strip(" ,")}. */
    private static String strip(String s) {
        int from = 0, to = s.length();
        while (from < to && isSpaceOrComma(s.charAt(from))) from++;
        while (to > from && isSpaceOrComma(s.charAt(to - 1))) to--;
        return s.substring(from, to);
    }

    private static boolean isSpaceOrComma(char c) {
        return c == ' ' || c == ',';
    }

    /** Python's {@code ' '.join(s.split())}: runs of whitespace (str.isspace) become one space, ends trimmed. */
    private static String collapseWhitespace(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean pendingSpace = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isPythonSpace(c)) {
                pendingSpace = out.length() > 0;
            } else {
                if (pendingSpace) out.append(' ');
                pendingSpace = false;
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Python's str.isspace for one BMP character: Java's whitespace plus no-break spaces and NEL. */
    private static boolean isPythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }
}
