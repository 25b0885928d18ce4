package dev.lycoris4j.adapters.io;

/** Turning exceptions into the one-line reasons that reports and the command line show. */
public final class Messages {
    private Messages() {}

    /** libtorch errors carry a C++ backtrace after their first line; a report wants the first line only. */
    public static String firstLine(String message) {
        if (message == null || message.isBlank()) return "no details given";
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }
}
