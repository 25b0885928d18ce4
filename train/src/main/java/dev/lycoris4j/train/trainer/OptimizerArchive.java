package dev.lycoris4j.train.trainer;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.ArchiveWriter;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;

import java.io.ByteArrayOutputStream;
import java.util.function.Consumer;

/** libtorch's serialisation archives as Java bytes: how both optimizers save and restore their state. */
final class OptimizerArchive {
    private OptimizerArchive() {}

    /** Everything written to {@code archive}, in libtorch's archive format. */
    static byte[] bytes(OutputArchive archive) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        archive.save_to(new ArchiveWriter() {
            @Override
            public long call(Pointer data, long size) {
                byte[] chunk = new byte[Math.toIntExact(size)];
                new BytePointer(data).capacity(size).get(chunk);
                out.write(chunk, 0, chunk.length);
                return size;
            }
        });
        return out.toByteArray();
    }

    /** Opens {@code bytes} as an archive and hands it to {@code reader} while the native copy of the bytes lives. */
    static void read(byte[] bytes, Consumer<InputArchive> reader) {
        try (BytePointer data = new BytePointer(bytes.length)) {
            data.put(bytes);
            InputArchive archive = new InputArchive();
            archive.load_from(data, bytes.length);
            reader.accept(archive);
        }
    }
}
