package dev.lycoris4j.core.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident memory as the kernel reports it in {@code /proc/self/status} (Linux only):
 * native leaks show up here and nowhere in the JVM's own accounting.
 */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {}

    /** Resident set size in bytes ({@code VmRSS}): anonymous memory plus mapped files in RAM. */
    public static long residentBytes() {
        return statusField("VmRSS");
    }

    /**
     * Resident anonymous memory in bytes ({@code RssAnon}): heaps, native tensors, the Java heap, without
     * the pages of shared libraries that get paged in as new ops are first used.
     */
    public static long anonymousBytes() {
        return statusField("RssAnon");
    }

    /** Peak resident set size in bytes ({@code VmHWM}) since the process started or the last {@link #resetPeak}. */
    public static long peakResidentBytes() {
        return statusField("VmHWM");
    }

    /**
     * Resets the peak ({@code VmHWM}) to the current resident size, so that a phase of a program reports its own
     * peak; false where the kernel does not allow it (writing 5 to {@code /proc/self/clear_refs}).
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static long statusField(String key) {
        if (!Files.isReadable(STATUS)) {
            throw new UnsupportedOperationException(STATUS + " is not readable: resident memory is only measured on Linux");
        }
        try {
            return parseKb(Files.readString(STATUS), key, STATUS.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STATUS, e);
        }
    }

    /** The value of a {@code Key:   1234 kB} line of a status file's text, in bytes. */
    static long parseKb(String status, String key, String source) {
        String prefix = key + ":";
        for (String line : status.split("\n")) {
            if (!line.startsWith(prefix)) continue;
            String[] parts = line.substring(prefix.length()).trim().split("\\s+");
            if (parts.length != 2 || !parts[1].equals("kB") || parts[0].isEmpty()
                    || !parts[0].chars().allMatch(Character::isDigit)) {
                throw new IllegalStateException(source + ": unexpected " + key + " line '" + line + "'");
            }
            return Long.parseLong(parts[0]) * 1024;
        }
        throw new IllegalStateException(source + ": no " + key + " line");
    }
}
