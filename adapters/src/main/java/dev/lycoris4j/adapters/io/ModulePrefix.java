package dev.lycoris4j.adapters.io;

import java.util.Arrays;
import java.util.Optional;

/**
 * The first part of an adapter module name, which says which model component the module adapts
 * (spec §4.1): {@code lora_name = (prefix + "_" + module_path).replace(".", "_")}.
 *
 * <p>Declared in kohya's state-dict order: text encoders come before the UNet, which is the order the
 * {@code sshs_model_hash} is taken in.
 */
public enum ModulePrefix {
    TEXT_ENCODER("lora_te"),
    TEXT_ENCODER_1("lora_te1"),
    TEXT_ENCODER_2("lora_te2"),
    UNET("lora_unet"),
    LYCORIS("lycoris");

    private final String id;

    ModulePrefix(String id) {
        this.id = id;
    }

    /** The prefix as files spell it, e.g. {@code lora_unet}. */
    public String id() {
        return id;
    }

    /** The module name of {@code modulePath} (dotted, as in the model) under this prefix. */
    public String moduleName(String modulePath) {
        return (id + "_" + modulePath).replace('.', '_');
    }

    /** The module path with '.' turned into '_', i.e. the name without {@code prefix_}. */
    public String flatPath(String moduleName) {
        if (!moduleName.startsWith(id + "_")) {
            throw new IllegalArgumentException("module " + moduleName + " does not start with " + id + "_");
        }
        return moduleName.substring(id.length() + 1);
    }

    /**
     * The prefix of a module name, or empty when it has none of the known ones. Unambiguous because every
     * prefix is followed by '_' ({@code lora_te1_x} does not start with {@code lora_te_}).
     */
    public static Optional<ModulePrefix> of(String moduleName) {
        for (ModulePrefix p : values()) {
            if (moduleName.startsWith(p.id + "_") && moduleName.length() > p.id.length() + 1) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** All prefixes as files spell them, for error messages. */
    public static String known() {
        return String.join(", ", Arrays.stream(values()).map(ModulePrefix::id).toList());
    }
}
