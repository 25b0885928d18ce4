package dev.lycoris4j.adapters.tools;

/**
 * Told about every module a tool works on, so a command line can draw a progress bar. Called with
 * {@code done} = 0…total−1 before each module and once more with {@code done == total} at the end.
 */
@FunctionalInterface
public interface Progress {
    Progress NONE = (done, total, current) -> {};

    /** @param current what is being worked on now (a module name); empty at the end */
    void step(int done, int total, String current);
}
