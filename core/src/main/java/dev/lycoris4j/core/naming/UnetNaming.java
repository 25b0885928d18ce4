package dev.lycoris4j.core.naming;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two spellings of a UNet's module paths (sd-architecture §(b)): diffusers ({@code down_blocks.1.resnets.0.conv1})
 * and LDM/SGM ({@code input_blocks.4.0.in_layers.2}), which single-file checkpoints and kohya's SDXL UNet use.
 * Single-file loading and SGM adapter names go diffusers → LDM; merging an adapter trained on one spelling into a
 * checkpoint written in the other needs both ways.
 *
 * <p>The slot arithmetic depends on the resnets per block, which is read from the checkpoint rather than assumed
 * (SD1.5/SDXL: 2 per down block, 3 per up block; small test models have fewer): a down block occupies
 * {@code down + 1} {@code input_blocks} slots (resnets, then the downsampler), an up block {@code up} slots of
 * {@code output_blocks}, its upsampler sitting in the last one next to the resnet (and the attention, if any).
 */
public final class UnetNaming {
    private static final Map<String, String> RESNET_TO_LDM = Map.of(
            "norm1", "in_layers.0", "conv1", "in_layers.2", "time_emb_proj", "emb_layers.1",
            "norm2", "out_layers.0", "conv2", "out_layers.3", "conv_shortcut", "skip_connection");
    private static final Map<String, String> RESNET_TO_DIFFUSERS = invert(RESNET_TO_LDM);
    private static final Map<String, String> FIXED_TO_LDM = Map.of(
            "conv_in", "input_blocks.0.0", "time_embedding.linear_1", "time_embed.0",
            "time_embedding.linear_2", "time_embed.2", "add_embedding.linear_1", "label_emb.0.0",
            "add_embedding.linear_2", "label_emb.0.2", "conv_norm_out", "out.0", "conv_out", "out.2");
    private static final Map<String, String> FIXED_TO_DIFFUSERS = invert(FIXED_TO_LDM);

    private static final Pattern DIFFUSERS_DOWN = Pattern.compile("down_blocks\\.(\\d+)\\.(resnets|attentions)\\.(\\d+)\\.(.+)");
    private static final Pattern DIFFUSERS_DOWNSAMPLER = Pattern.compile("down_blocks\\.(\\d+)\\.downsamplers\\.0\\.conv");
    private static final Pattern DIFFUSERS_MID = Pattern.compile("mid_block\\.(resnets|attentions)\\.(\\d+)\\.(.+)");
    private static final Pattern DIFFUSERS_UP = Pattern.compile("up_blocks\\.(\\d+)\\.(resnets|attentions)\\.(\\d+)\\.(.+)");
    private static final Pattern DIFFUSERS_UPSAMPLER = Pattern.compile("up_blocks\\.(\\d+)\\.upsamplers\\.0\\.conv");
    private static final Pattern LDM_INPUT = Pattern.compile("input_blocks\\.(\\d+)\\.([01])\\.(.+)");
    private static final Pattern LDM_MIDDLE = Pattern.compile("middle_block\\.([012])\\.(.+)");
    private static final Pattern LDM_OUTPUT = Pattern.compile("output_blocks\\.(\\d+)\\.([012])\\.(.+)");

    private final int downResnets;
    private final int upResnets;
    private final Set<Integer> upBlocksWithAttention;

    /**
     * @param downResnets           resnets per down block
     * @param upResnets             resnets per up block (one more than down in SD's UNets)
     * @param upBlocksWithAttention indices of the up blocks with transformers (moves the upsampler's slot)
     */
    public UnetNaming(int downResnets, int upResnets, Set<Integer> upBlocksWithAttention) {
        this.downResnets = downResnets;
        this.upResnets = upResnets;
        this.upBlocksWithAttention = Set.copyOf(upBlocksWithAttention);
    }

    /**
     * For the module paths of one UNet (relative to its root), each path's spelling in the other naming
     * → the path itself. Paths with no counterpart (or that belong to no UNet) are absent.
     */
    public static Map<String, String> aliases(Collection<String> paths) {
        UnetNaming naming = inferLayout(paths);
        Map<String, String> aliases = new HashMap<>();
        for (String p : paths) {
            naming.toLdm(p).or(() -> naming.toDiffusers(p)).ifPresent(alias -> aliases.put(alias, p));
        }
        return aliases;
    }

    /** Resnets per down and up block, counted in diffusers paths or read off the first down/upsampler slot in LDM ones. */
    private static UnetNaming inferLayout(Collection<String> paths) {
        int down = -1;
        int up = -1;
        int firstDownsampler = Integer.MAX_VALUE;
        int firstUpsampler = Integer.MAX_VALUE;
        Set<Integer> upWithAttention = new HashSet<>();
        for (String p : paths) {
            Matcher m;
            if ((m = DIFFUSERS_DOWN.matcher(p)).matches() && m.group(2).equals("resnets")) {
                down = Math.max(down, Integer.parseInt(m.group(3)));
            } else if ((m = DIFFUSERS_UP.matcher(p)).matches()) {
                if (m.group(2).equals("resnets")) up = Math.max(up, Integer.parseInt(m.group(3)));
                else upWithAttention.add(Integer.parseInt(m.group(1)));
            } else if ((m = LDM_INPUT.matcher(p)).matches() && m.group(3).equals("op")) {
                firstDownsampler = Math.min(firstDownsampler, Integer.parseInt(m.group(1)));
            } else if ((m = LDM_OUTPUT.matcher(p)).matches() && !m.group(2).equals("0") && m.group(3).equals("conv")) {
                firstUpsampler = Math.min(firstUpsampler, Integer.parseInt(m.group(1)));
            }
        }
        int downResnets = down >= 0 ? down + 1 : firstDownsampler != Integer.MAX_VALUE ? firstDownsampler - 1 : 2;
        int upResnets = up >= 0 ? up + 1 : firstUpsampler != Integer.MAX_VALUE ? firstUpsampler + 1 : 3;
        return new UnetNaming(downResnets, upResnets, upWithAttention);
    }

    /**
     * A diffusers state-dict key ({@code <module path>.<tensor>}) as its LDM key, both relative to the UNet.
     *
     * @throws IllegalArgumentException when the module has no LDM name
     */
    public String ldmKey(String key) {
        int dot = key.lastIndexOf('.');
        return toLdm(key.substring(0, dot)).map(module -> module + key.substring(dot))
                .orElseThrow(() -> new IllegalArgumentException("no LDM name for UNet key " + key));
    }

    /** A diffusers module path in LDM spelling; empty if it has none. */
    public Optional<String> toLdm(String path) {
        String fixed = FIXED_TO_LDM.get(path);
        if (fixed != null) return Optional.of(fixed);
        Matcher m;
        if ((m = DIFFUSERS_DOWN.matcher(path)).matches()) {
            boolean resnet = m.group(2).equals("resnets");
            int slot = (downResnets + 1) * num(m, 1) + num(m, 3) + 1;
            return inner(resnet, m.group(4), RESNET_TO_LDM).map(r -> "input_blocks." + slot + (resnet ? ".0." : ".1.") + r);
        }
        if ((m = DIFFUSERS_DOWNSAMPLER.matcher(path)).matches()) {
            return Optional.of("input_blocks." + (downResnets + 1) * (num(m, 1) + 1) + ".0.op");
        }
        if ((m = DIFFUSERS_MID.matcher(path)).matches()) {
            boolean resnet = m.group(1).equals("resnets");
            int index = num(m, 2);
            if (index > (resnet ? 1 : 0)) return Optional.empty();
            int slot = resnet ? 2 * index : 1; // resnet, attention, resnet
            return inner(resnet, m.group(3), RESNET_TO_LDM).map(r -> "middle_block." + slot + "." + r);
        }
        if ((m = DIFFUSERS_UP.matcher(path)).matches()) {
            boolean resnet = m.group(2).equals("resnets");
            int slot = upResnets * num(m, 1) + num(m, 3);
            return inner(resnet, m.group(4), RESNET_TO_LDM).map(r -> "output_blocks." + slot + (resnet ? ".0." : ".1.") + r);
        }
        if ((m = DIFFUSERS_UPSAMPLER.matcher(path)).matches()) {
            int block = num(m, 1);
            int slot = upResnets * block + upResnets - 1;
            return Optional.of("output_blocks." + slot + (upBlocksWithAttention.contains(block) ? ".2" : ".1") + ".conv");
        }
        return Optional.empty();
    }

    /** An LDM module path in diffusers spelling; empty if it has none. */
    public Optional<String> toDiffusers(String path) {
        String fixed = FIXED_TO_DIFFUSERS.get(path);
        if (fixed != null) return Optional.of(fixed);
        Matcher m;
        if ((m = LDM_INPUT.matcher(path)).matches()) {
            int n = num(m, 1);
            int perBlock = downResnets + 1;
            boolean resnet = m.group(2).equals("0");
            if (resnet && m.group(3).equals("op")) {
                return n % perBlock == 0 ? Optional.of("down_blocks." + (n / perBlock - 1) + ".downsamplers.0.conv")
                        : Optional.empty();
            }
            if (n == 0 || n % perBlock == 0) return Optional.empty();
            String block = "down_blocks." + (n - 1) / perBlock + (resnet ? ".resnets." : ".attentions.") + (n - 1) % perBlock;
            return inner(resnet, m.group(3), RESNET_TO_DIFFUSERS).map(r -> block + "." + r);
        }
        if ((m = LDM_MIDDLE.matcher(path)).matches()) {
            int slot = num(m, 1);
            boolean resnet = slot != 1;
            String block = resnet ? "mid_block.resnets." + slot / 2 : "mid_block.attentions.0";
            return inner(resnet, m.group(2), RESNET_TO_DIFFUSERS).map(r -> block + "." + r);
        }
        if ((m = LDM_OUTPUT.matcher(path)).matches()) {
            int n = num(m, 1);
            String block = "up_blocks." + n / upResnets;
            if (!m.group(2).equals("0") && m.group(3).equals("conv")) {
                return n % upResnets == upResnets - 1 ? Optional.of(block + ".upsamplers.0.conv") : Optional.empty();
            }
            if (m.group(2).equals("2")) return Optional.empty();
            boolean resnet = m.group(2).equals("0");
            String layer = block + (resnet ? ".resnets." : ".attentions.") + n % upResnets;
            return inner(resnet, m.group(3), RESNET_TO_DIFFUSERS).map(r -> layer + "." + r);
        }
        return Optional.empty();
    }

    /** The path inside a block in the other spelling: resnet layers renamed (empty if unknown), attention paths unchanged. */
    private static Optional<String> inner(boolean resnet, String rest, Map<String, String> resnetRenames) {
        return resnet ? Optional.ofNullable(resnetRenames.get(rest)) : Optional.of(rest);
    }

    private static int num(Matcher m, int group) {
        return Integer.parseInt(m.group(group));
    }

    private static Map<String, String> invert(Map<String, String> map) {
        Map<String, String> inverse = new HashMap<>();
        map.forEach((k, v) -> inverse.put(v, k));
        return Map.copyOf(inverse);
    }
}
