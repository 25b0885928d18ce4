package dev.lycoris4j.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void writesAndReplacesLeavingNoTemporaryFile() throws IOException {
        Path target = dir.resolve("config.json");
        AtomicFiles.writeString(target, "first");
        AtomicFiles.writeString(target, "second ✓");
        assertThat(Files.readString(target)).isEqualTo("second ✓");
        assertThat(listing()).containsExactly(target);
    }

    @Test
    void aBodyThatThrowsMidwayLeavesTheOriginalAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("model.safetensors");
        AtomicFiles.writeString(target, "original");
        assertThatThrownBy(() -> AtomicFiles.write(target, ch -> {
            AtomicFiles.writeFully(ch, ByteBuffer.wrap("half of the new con".getBytes(StandardCharsets.UTF_8)));
            throw new IOException("disk full");
        })).isInstanceOf(IOException.class).hasMessage("disk full");
        assertThatThrownBy(() -> AtomicFiles.writeStream(target, out -> {
            out.write(new byte[100_000]);
            throw new UncheckedIOException(new IOException("encoder failed"));
        })).isInstanceOf(UncheckedIOException.class);
        assertThat(Files.readString(target)).isEqualTo("original");
        assertThat(listing()).containsExactly(target);
    }

    @Test
    void aFailedFirstWriteCreatesNothing() throws IOException {
        Path target = dir.resolve("new.bin");
        assertThatThrownBy(() -> AtomicFiles.write(target, ch -> {
            throw new IllegalStateException("bug");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(listing()).isEmpty();
    }

    @Test
    void streamBodiesMayCloseTheirStream() throws IOException {
        // Many encoders (Jackson, ImageIO) close the stream they are given; the write must still complete.
        Path target = dir.resolve("out.txt");
        AtomicFiles.writeStream(target, out -> {
            out.write("closed early".getBytes(StandardCharsets.UTF_8));
            out.close();
        });
        assertThat(Files.readString(target)).isEqualTo("closed early");
        assertThat(listing()).containsExactly(target);
    }

    @Test
    void writesMultiBlockContentIntoASubdirectory() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        byte[] content = new byte[70_000];
        for (int i = 0; i < content.length; i++) content[i] = (byte) (i * 31);
        AtomicFiles.writeBytes(sub.resolve("data.bin"), content);
        assertThat(Files.readAllBytes(sub.resolve("data.bin"))).isEqualTo(content);
    }
}
