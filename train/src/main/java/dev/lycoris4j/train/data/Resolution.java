package dev.lycoris4j.train.data;

/** A size in pixels, width first as kohya writes its bucket tuples; ordered as Python orders those tuples. */
public record Resolution(int width, int height) implements Comparable<Resolution> {

    public Resolution {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("a resolution must be positive, got " + width + "x" + height);
        }
    }

    public static Resolution square(int side) {
        return new Resolution(side, side);
    }

    /** kohya's {@code --resolution}: {@code "512"} (square) or {@code "512,768"} (width, height). */
    public static Resolution parse(String text) {
        String[] parts = text.trim().split("\\s*[,x]\\s*");
        try {
            if (parts.length == 1) return square(Integer.parseInt(parts[0]));
            if (parts.length == 2) return new Resolution(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException("resolution must be SIZE or WIDTH,HEIGHT, got '" + text + "'");
    }

    public long area() {
        return (long) width * height;
    }

    public double aspectRatio() {
        return (double) width / height;
    }

    @Override
    public int compareTo(Resolution o) {
        return width != o.width ? Integer.compare(width, o.width) : Integer.compare(height, o.height);
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
