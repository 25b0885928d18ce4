package dev.lycoris4j.adapters.io;

import org.bytedeco.pytorch.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * kohya's {@code sshs_model_hash} (spec §4.3): {@code "0x" + sha256} of the raw little-endian bytes of every
 * tensor, concatenated in state-dict order (text-encoder modules, then UNet modules, each module's keys in
 * its own order). Names, shapes and dtypes do not enter it, so the order is everything.
 */
public final class SshsHash {
    private SshsHash() {}

    public static final String METADATA_KEY = "sshs_model_hash";

    public static String of(Iterable<Tensor> tensorsInStateDictOrder) {
        MessageDigest sha = sha256();
        try {
            for (Tensor t : tensorsInStateDictOrder) TensorBytes.stream(t, sha::update);
        } catch (IOException e) {
            throw new UncheckedIOException("hashing into memory cannot fail", e);
        }
        return "0x" + HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide SHA-256", e);
        }
    }
}
