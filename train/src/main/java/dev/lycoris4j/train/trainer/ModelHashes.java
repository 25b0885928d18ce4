package dev.lycoris4j.train.trainer;

import dev.lycoris4j.train.data.Sha256;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * kohya's base-model hashes for {@code ss_sd_model_hash} (A1111's old hash: SHA-256 of the 64 KiB at offset 1 MiB,
 * first 8 hex digits) and {@code ss_new_sd_model_hash} (SHA-256 of the whole file). kohya writes "IsADirectory" for
 * a diffusers folder; here a folder is hashed through its UNet weights file, the weights an adapter is trained on.
 *
 * @param name the model file or folder name ({@code ss_sd_model_name})
 */
record ModelHashes(String name, String legacy, String sha256) {

    static ModelHashes of(Path model) {
        Path file = Files.isDirectory(model) ? unetWeights(model) : model;
        return new ModelHashes(model.getFileName().toString(), legacy(file), sha256(file));
    }

    private static Path unetWeights(Path folder) {
        for (String name : new String[] {"diffusion_pytorch_model.safetensors", "model.safetensors"}) {
            Path f = folder.resolve("unet").resolve(name);
            if (Files.isRegularFile(f)) return f;
        }
        throw new IllegalArgumentException(folder + " has no unet/diffusion_pytorch_model.safetensors");
    }

    static String legacy(Path file) {
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer buffer = ByteBuffer.allocate(0x10000);
            ch.position(0x100000);
            // As Python's read, a short file gives what lies past 1 MiB, possibly nothing.
            while (buffer.hasRemaining()) {
                if (ch.read(buffer) <= 0) break;
            }
            buffer.flip();
            MessageDigest sha = Sha256.digest();
            sha.update(buffer);
            return Sha256.hex(sha).substring(0, 8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static String sha256(Path file) {
        MessageDigest sha = Sha256.digest();
        byte[] chunk = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(chunk)) > 0; ) sha.update(chunk, 0, n);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return Sha256.hex(sha);
    }
}
