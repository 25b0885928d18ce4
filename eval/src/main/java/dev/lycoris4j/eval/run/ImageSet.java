package dev.lycoris4j.eval.run;

import dev.lycoris4j.eval.prompts.ImageAllocation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The images of one prompt list in one folder, as the reference generates a prompt file (spec §1.4): the
 * images spread over the prompts by {@link ImageAllocation}, image k seeded {@code seedStart + k} and saved
 * as {@code <k, zero-padded>-<seed>.png}, so file-name order is image order.
 *
 * @param promptOfImage element k is the index of image k's prompt in the planned prompt list
 */
public record ImageSet(Path dir, int[] promptOfImage, List<ImageGenerator.Planned> images) {

    public ImageSet {
        images = List.copyOf(images);
    }

    public static ImageSet plan(Path dir, List<String> prompts, int images, long seedStart) {
        ImageAllocation allocation = new ImageAllocation(images, prompts.size());
        int[] promptOfImage = allocation.promptOfImage();
        String format = "%0" + allocation.digits() + "d-%d.png";
        List<ImageGenerator.Planned> planned = new ArrayList<>(images);
        for (int k = 0; k < images; k++) {
            long seed = seedStart + k;
            planned.add(new ImageGenerator.Planned(dir.resolve(String.format(Locale.ROOT, format, k, seed)),
                    prompts.get(promptOfImage[k]), seed));
        }
        return new ImageSet(dir, promptOfImage, planned);
    }

    public List<Path> files() {
        return images.stream().map(ImageGenerator.Planned::file).toList();
    }

    /** The prompt of every image, in image order. */
    public List<String> imagePrompts() {
        return images.stream().map(ImageGenerator.Planned::prompt).toList();
    }

    /** [first, end) image ranges of the prompts that have images, in prompt order. */
    public List<int[]> promptRanges() {
        List<int[]> out = new ArrayList<>();
        int start = 0;
        for (int k = 1; k <= promptOfImage.length; k++) {
            if (k == promptOfImage.length || promptOfImage[k] != promptOfImage[start]) {
                out.add(new int[] {start, k});
                start = k;
            }
        }
        return out;
    }
}
