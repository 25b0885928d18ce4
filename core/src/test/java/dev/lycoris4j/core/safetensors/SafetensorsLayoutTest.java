package dev.lycoris4j.core.safetensors;

import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The computed sizes equal those of files the real writer produces, header length included. */
class SafetensorsLayoutTest {

    private static void assertSizeMatchesWriter(Map<String, Tensor> tensors, Path file) throws Exception {
        assertSizeMatchesWriter(tensors, Map.of(), file);
    }

    private static void assertSizeMatchesWriter(Map<String, Tensor> tensors, Map<String, String> metadata, Path file) throws Exception {
        SafetensorsWriter.write(file, tensors, metadata);
        List<SafetensorsLayout.Entry> entries = new ArrayList<>();
        tensors.forEach((k, v) -> entries.add(new SafetensorsLayout.Entry(k, Tensors.dtype(v), Tensors.shape(v))));
        byte[] bytes = Files.readAllBytes(file);
        long header = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(SafetensorsLayout.header(SafetensorsLayout.ordered(entries), metadata).length).isEqualTo(header);
        assertThat(SafetensorsLayout.fileBytes(entries, metadata)).isEqualTo(bytes.length);
    }

    private static Tensor zeros(DType dtype, long... shape) {
        return torch.zeros(shape, Tensors.options(dtype));
    }

    @Test
    void adapterLikeTensorsInOneDtype(@TempDir Path dir) throws Exception {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("lora_unet_b.lora_up.weight", zeros(DType.F16, 320, 8, 1, 1));
        t.put("lora_unet_b.alpha", zeros(DType.F16));
        t.put("lora_unet_a.lora_down.weight", zeros(DType.F16, 8, 320, 3, 3));
        t.put("lora_te_text_model_encoder_layers_0_mlp_fc1.alpha", zeros(DType.F16));
        assertSizeMatchesWriter(t, dir.resolve("a.safetensors"));
    }

    /** Mixed dtypes reorder the header (largest element first), which changes the offsets' digit counts. */
    @Test
    void mixedDtypesAndNamesNeedingEscapes(@TempDir Path dir) throws Exception {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("z.small", zeros(DType.BF16, 3));
        t.put("a \"quoted\" name", zeros(DType.F32, 1000, 7));
        t.put("m.ids", zeros(DType.I64, 5));
        t.put("ünïcode", zeros(DType.U8, 13));
        t.put("empty", zeros(DType.F16, 0, 4));
        assertSizeMatchesWriter(t, dir.resolve("b.safetensors"));
    }

    @Test
    void metadataComesFirstInTheHeader(@TempDir Path dir) throws Exception {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("w", zeros(DType.F32, 4, 4));
        assertSizeMatchesWriter(t, Map.of("ss_network_dim", "8", "note", "naïve \"quote\""), dir.resolve("m.safetensors"));
    }

    @Test
    void noTensorsAtAll(@TempDir Path dir) throws Exception {
        assertSizeMatchesWriter(Map.of(), dir.resolve("c.safetensors"));
    }
}
