package dev.lycoris4j.eval.analysis;

/** A leaf concept of the dataset: category, class and sub-class ({@code ""} when the class has none). */
public record Concept(String category, String cls, String subclass) implements Comparable<Concept> {

    public boolean hasSubclass() {
        return !subclass.isEmpty();
    }

    /** The class this concept belongs to (sub-class cleared). */
    public Concept classOnly() {
        return hasSubclass() ? new Concept(category, cls, "") : this;
    }

    public String path() {
        return hasSubclass() ? category + "/" + cls + "/" + subclass : category + "/" + cls;
    }

    @Override
    public int compareTo(Concept o) {
        int c = category.compareTo(o.category);
        if (c != 0) return c;
        c = cls.compareTo(o.cls);
        return c != 0 ? c : subclass.compareTo(o.subclass);
    }
}
