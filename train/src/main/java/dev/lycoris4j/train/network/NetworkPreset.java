package dev.lycoris4j.train.network;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which modules a network wraps and with which per-module algorithm configs: the reference's preset
 * (spec lycoris-reference §4.3), with its keys. Class names go through {@link ClassAliases}; names are
 * {@link NamePattern}s matched against the module path the file names use.
 *
 * @param enableConv               false: k×k convs are skipped unless a module config gives a dim (1×1 convs
 *                                 always use the linear dim)
 * @param unetTargetModules        UNet classes whose Linear/Conv (and, with train_norm, norm) descendants are wrapped
 * @param unetTargetNames          UNet module names wrapped on their own
 * @param textEncoderTargetModules text-encoder classes, as for the UNet
 * @param textEncoderTargetNames   text-encoder names, as for the UNet
 * @param moduleAlgoMap            class → config, for modules below a class of that name inside a target
 *                                 (the innermost such class wins) and for name-targeted modules of that class
 * @param nameAlgoMap              name pattern → config; a module matching one is wrapped with it even inside a
 *                                 class target (an explicit name rule overrides a class rule)
 * @param useFnmatch               names are globs ({@code fnmatch}) instead of start-anchored regexes
 * @param excludeNames             name patterns never wrapped, whatever selects them (ours; the kohya wrapper has none)
 */
public record NetworkPreset(
        boolean enableConv,
        List<String> unetTargetModules,
        List<String> unetTargetNames,
        List<String> textEncoderTargetModules,
        List<String> textEncoderTargetNames,
        Map<String, ModuleConfig> moduleAlgoMap,
        Map<String, ModuleConfig> nameAlgoMap,
        boolean useFnmatch,
        List<String> excludeNames) {

    public NetworkPreset {
        unetTargetModules = List.copyOf(unetTargetModules);
        unetTargetNames = List.copyOf(unetTargetNames);
        textEncoderTargetModules = List.copyOf(textEncoderTargetModules);
        textEncoderTargetNames = List.copyOf(textEncoderTargetNames);
        moduleAlgoMap = Collections.unmodifiableMap(new LinkedHashMap<>(moduleAlgoMap));
        nameAlgoMap = Collections.unmodifiableMap(new LinkedHashMap<>(nameAlgoMap));
        excludeNames = List.copyOf(excludeNames);
        // Compile every pattern now, so a bad one fails when the preset is made, naming itself.
        for (List<String> names : List.of(unetTargetNames, textEncoderTargetNames, excludeNames, List.copyOf(nameAlgoMap.keySet()))) {
            for (String n : names) NamePattern.of(n, useFnmatch);
        }
    }

    /** The 12 DiT block classes the reference lists in every UNet preset (unused by SD, kept for fidelity). */
    private static final List<String> DIT_BLOCKS = List.of("HunYuanDiTBlock", "DoubleStreamBlock", "SingleStreamBlock",
            "SingleDiTBlock", "MMDoubleStreamBlock", "MMSingleStreamBlock", "WanAttentionBlock",
            "HunyuanVideoTransformerBlock", "HunyuanVideoSingleTransformerBlock", "JointTransformerBlock", "FinalLayer",
            "QwenImageTransformerBlock");
    private static final List<String> TE_FULL = List.of("CLIPAttention", "CLIPSdpaAttention", "CLIPMLP", "MT5Block",
            "BertLayer", "Gemma2Attention", "Gemma2FlashAttention2", "Gemma2SdpaAttention", "Gemma2MLP");
    private static final List<String> TE_ATTN = List.of("CLIPAttention", "CLIPSdpaAttention", "BertAttention",
            "MT5LayerSelfAttention", "Gemma2Attention", "Gemma2FlashAttention2", "Gemma2SdpaAttention");
    private static final List<String> FULL_NAMES = List.of("conv_in", "conv_out", "time_embedding.linear_1",
            "time_embedding.linear_2");

    public static final NetworkPreset FULL = new NetworkPreset(true,
            withDit("Transformer2DModel", "ResnetBlock2D", "Downsample2D", "Upsample2D"), FULL_NAMES, TE_FULL, List.of(),
            Map.of(), Map.of(), false, List.of());
    public static final NetworkPreset FULL_LIN = new NetworkPreset(false, withDit("Transformer2DModel", "ResnetBlock2D"),
            List.of("time_embedding.linear_1", "time_embedding.linear_2"), TE_FULL, List.of(), Map.of(), Map.of(), false,
            List.of());
    public static final NetworkPreset ATTN_MLP = new NetworkPreset(false, withDit("Transformer2DModel"), List.of(),
            TE_FULL, List.of(), Map.of(), Map.of(), false, List.of());
    public static final NetworkPreset ATTN_ONLY = new NetworkPreset(false, List.of("CrossAttention", "SelfAttention"),
            List.of(), TE_ATTN, List.of(), Map.of(), Map.of(), false, List.of());
    public static final NetworkPreset UNET_ONLY = new NetworkPreset(true, FULL.unetTargetModules, FULL_NAMES, List.of(),
            List.of(), Map.of(), Map.of(), false, List.of());
    public static final NetworkPreset UNET_TRANSFORMER_ONLY = new NetworkPreset(false, withDit("Transformer2DModel"),
            List.of(), List.of(), List.of(), Map.of(), Map.of(), false, List.of());
    public static final NetworkPreset UNET_CONVBLOCK_ONLY = new NetworkPreset(true,
            List.of("ResnetBlock2D", "Downsample2D", "Upsample2D"), List.of("conv_in", "conv_out"), List.of(), List.of(),
            Map.of(), Map.of(), false, List.of());
    /**
     * (IA)³'s targets: the reference lists bare names (to_k, to_v, ff.net.2; k_proj, v_proj, mlp.fc2), which its
     * start-anchored matching never finds in a full module path; these patterns anchor them at the path's end,
     * so the preset selects what it names. The feed-forward outputs are scaled on their input.
     */
    public static final NetworkPreset IA3 = new NetworkPreset(false, List.of(), List.of(last("to_k"), last("to_v"),
            last("ff\\.net\\.2")), List.of(), List.of(last("k_proj"), last("v_proj"), last("mlp\\.fc2")), Map.of(),
            onInput(last("mlp\\.fc2"), last("ff\\.net\\.2")), false, List.of());

    private static final Map<String, NetworkPreset> BUILT_IN = builtIns();

    private static Map<String, NetworkPreset> builtIns() {
        Map<String, NetworkPreset> m = new LinkedHashMap<>();
        m.put("full", FULL);
        m.put("full-lin", FULL_LIN);
        m.put("attn-mlp", ATTN_MLP);
        m.put("attn-only", ATTN_ONLY);
        m.put("unet-only", UNET_ONLY);
        m.put("unet-transformer-only", UNET_TRANSFORMER_ONLY);
        m.put("unet-convblock-only", UNET_CONVBLOCK_ONLY);
        m.put("ia3", IA3);
        return Collections.unmodifiableMap(m);
    }

    /** The built-in preset names, in the reference's order. */
    public static List<String> builtInNames() {
        return List.copyOf(BUILT_IN.keySet());
    }

    /** A built-in preset by its reference name. */
    public static NetworkPreset builtIn(String name) {
        NetworkPreset p = BUILT_IN.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown preset '" + name + "': use one of "
                    + String.join(", ", BUILT_IN.keySet()) + ", or a TOML preset file");
        }
        return p;
    }

    /** A built-in preset name, or else the path of a TOML preset file (like kohya's {@code preset=} argument). */
    public static NetworkPreset resolve(String nameOrFile) {
        return BUILT_IN.containsKey(nameOrFile) ? BUILT_IN.get(nameOrFile) : PresetToml.read(Path.of(nameOrFile));
    }

    /**
     * This preset as LyCORIS applied it before 1.9.0 (2023-09-27), when the paper's experiments ran: the UNet
     * name targets were never passed to the module walk, so {@code full} trains no conv_in, conv_out or
     * time-embedding layers (350 SD1.5 modules instead of 354).
     */
    public NetworkPreset paperEra() {
        return new NetworkPreset(enableConv, unetTargetModules, List.of(), textEncoderTargetModules, textEncoderTargetNames,
                moduleAlgoMap, nameAlgoMap, useFnmatch, excludeNames);
    }

    private static List<String> withDit(String... classes) {
        List<String> out = new ArrayList<>(List.of(classes));
        out.addAll(DIT_BLOCKS);
        return out;
    }

    private static String last(String namePattern) {
        return "(.*\\.)?" + namePattern + "$";
    }

    private static Map<String, ModuleConfig> onInput(String... patterns) {
        Map<String, ModuleConfig> m = new LinkedHashMap<>();
        for (String p : patterns) m.put(p, ModuleConfig.ofOptions(Map.of("train_on_input", true)));
        return m;
    }
}
