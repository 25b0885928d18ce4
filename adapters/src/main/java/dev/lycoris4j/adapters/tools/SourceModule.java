package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.io.AdapterModule;
import dev.lycoris4j.adapters.io.ModulePrefix;

/**
 * An adapter module as read from an input file, with what the file says about where it belongs.
 *
 * @param path  its dotted module path when the file records it (PEFT keys do), else null
 * @param style the key style it was read in
 */
record SourceModule(AdapterModule module, String path, KeyStyle style) {

    /** A module of a kohya/LyCORIS-keyed file, whose names do not record the module path. */
    static SourceModule of(AdapterModule module) {
        return new SourceModule(module, null, module.prefix() == ModulePrefix.LYCORIS ? KeyStyle.LYCORIS : KeyStyle.KOHYA);
    }
}
