package dev.lycoris4j.eval.dreambench;

import java.util.List;

/**
 * DreamBench's three numbers for one subject (spec §3): CLIP-I and DINO, the mean cosine similarity over
 * all real × generated image pairs of CLIP and DINO image embeddings; CLIP-T, the mean cosine between each
 * generated image and its prompt's CLIP text embedding.
 */
public record SubjectScore(String subject, int realImages, int generatedImages, double clipI, double clipT, double dino) {

    /**
     * The overall scores: the unweighted mean over subjects. Every subject has the same number of generated
     * images, so CLIP-T equals its mean over all images; CLIP-I and DINO weight each subject equally however
     * many real images it has.
     */
    public static SubjectScore overall(List<SubjectScore> subjects) {
        if (subjects.isEmpty()) throw new IllegalArgumentException("no subjects to average");
        double clipI = 0, clipT = 0, dino = 0;
        int real = 0, generated = 0;
        for (SubjectScore s : subjects) {
            clipI += s.clipI;
            clipT += s.clipT;
            dino += s.dino;
            real += s.realImages;
            generated += s.generatedImages;
        }
        int n = subjects.size();
        return new SubjectScore("overall", real, generated, clipI / n, clipT / n, dino / n);
    }
}
