package dev.lycoris4j.eval.score;

import dev.lycoris4j.eval.image.ResizeMode;

import java.util.OptionalDouble;

/**
 * The metrics of one generated image set against one reference set (spec §1.8), each computed as
 * LyCORIS-evaluation does. Image similarity and centroid distance come from the DINO features (the
 * paper's headline encoder) and from CLIP's.
 *
 * @param imageSimilarity        mean cosine over all reference × generated pairs (DINO)
 * @param centroidDistance       squared distance of the normalised centroids (DINO)
 * @param vendi                  Vendi score of the generated set (DINO)
 * @param textSimilarity         mean cosine of prompt k and generated image k (CLIP), when prompts were given
 * @param styleLoss              all-pairs mean squared Gram distance (VGG19), when a VGG was given
 */
public record SetScore(int generatedImages, int referenceImages, ResizeMode referenceResize,
                       double imageSimilarity, double centroidDistance,
                       double clipImageSimilarity, double clipCentroidDistance,
                       double vendi, double clipVendi,
                       OptionalDouble textSimilarity, OptionalDouble styleLoss) {}
