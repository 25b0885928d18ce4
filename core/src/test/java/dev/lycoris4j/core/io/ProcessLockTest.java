package dev.lycoris4j.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** One holder at a time, across processes; a killed holder's lock is free; {@code acquire} waits for the holder. */
class ProcessLockTest {
    @TempDir
    Path dir;

    /** Holds the lock on {@code args[0]} until killed. */
    public static void main(String[] args) throws Exception {
        ProcessLock lock = ProcessLock.tryAcquire(Path.of(args[0]));
        System.out.println(lock == null ? "busy" : "locked");
        System.out.flush();
        Thread.sleep(60_000);
    }

    @Test
    void inThisProcessOneHolderAtATime() throws IOException {
        Path file = dir.resolve("sub/run.lock");
        try (ProcessLock first = ProcessLock.tryAcquire(file)) {
            assertThat(first).isNotNull();
            assertThat(file).isRegularFile();
            assertThat(ProcessLock.tryAcquire(file)).isNull();
        }
        try (ProcessLock again = ProcessLock.acquire(file)) {
            assertThat(again).isNotNull();
        }
    }

    @Test
    void anotherProcessWaitsForTheHolderWhoseLockEndsWithItEvenKilled() throws Exception {
        Path file = dir.resolve("run.lock");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ProcessLockTest.class.getName(),
                file.toString()).redirectErrorStream(true).start();
        try (BufferedReader out = holder.inputReader(StandardCharsets.UTF_8)) {
            assertThat(out.readLine()).isEqualTo("locked");
            assertThat(ProcessLock.tryAcquire(file)).isNull();
            CompletableFuture<ProcessLock> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return ProcessLock.acquire(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Thread.sleep(300);
            assertThat(waiting).isNotDone();
            holder.destroyForcibly().waitFor();
            try (ProcessLock mine = waiting.get(30, TimeUnit.SECONDS)) {
                assertThat(mine).isNotNull();
            }
        } finally {
            holder.destroyForcibly();
        }
    }
}
