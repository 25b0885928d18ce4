package dev.lycoris4j.adapters;

import org.bytedeco.pytorch.Tensor;

/** A layer's weight and bias (bias null when the layer has none). */
public record WeightPair(Tensor weight, Tensor bias) {}
