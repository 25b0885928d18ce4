package dev.lycoris4j.train.data;

import java.nio.file.Path;

/**
 * One training image before preprocessing.
 *
 * @param caption the caption as read (its file's first line, or the subset's class tokens), before per-step variation
 * @param subset  index of its subset in the dataset
 */
public record ImageItem(Path image, String caption, int subset) {}
