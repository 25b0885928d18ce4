package dev.lycoris4j.adapters.io;

import java.util.List;

/**
 * Keys of an adapter file that form no usable module: an unknown prefix, a textual-inversion bundle, or
 * keys no algorithm recognises. They are kept (a rewrite writes them back) and reported, never dropped.
 *
 * @param name   the part of the keys before the first '.' (the whole key when it has no '.')
 * @param keys   the full keys, in file order
 * @param reason why they form no module, for reports
 */
public record UnrecognizedModule(String name, List<String> keys, String reason) {
    public UnrecognizedModule {
        keys = List.copyOf(keys);
    }
}
