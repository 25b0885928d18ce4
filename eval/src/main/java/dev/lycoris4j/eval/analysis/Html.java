package dev.lycoris4j.eval.analysis;

import java.util.List;

/** A minimal HTML page builder: escaped text, headings, tables, images; one inline style sheet. */
final class Html {
    private static final String STYLE = """
            body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; padding: 0 1em; }
            h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 1.8em; }
            h3 { font-size: 1.05em; margin-top: 1.4em; }
            .meta { color: #555; } .notes li { color: #8a4b00; }
            table { border-collapse: collapse; font-size: .85em; margin: .6em 0; display: block; overflow-x: auto; }
            th, td { border: 1px solid #ddd; padding: .25em .5em; text-align: right; white-space: nowrap; }
            th { background: #f3f3f3; white-space: normal; max-width: 10em; vertical-align: bottom; } td:first-child, th:first-child { text-align: left; }
            tr:nth-child(even) td { background: #fafafa; }
            img { max-width: 100%; display: block; margin: .6em 0; border: 1px solid #eee; }
            details summary { cursor: pointer; color: #555; }
            """;

    final String title;
    private final StringBuilder body = new StringBuilder();

    Html(String title) {
        this.title = title;
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    Html raw(String markup) {
        body.append(markup).append('\n');
        return this;
    }

    Html close(String tag) {
        return raw("</" + tag + ">");
    }

    void h2(String text) {
        raw("<h2>" + escape(text) + "</h2>");
    }

    void h3(String text) {
        raw("<h3>" + escape(text) + "</h3>");
    }

    void paragraph(String text) {
        raw("<p>" + escape(text) + "</p>");
    }

    /** An image beside index.html, by its relative name. */
    void image(String file, String alt) {
        raw("<img src=\"" + escape(file) + "\" alt=\"" + escape(alt) + "\">");
    }

    void tableStart(List<String> header) {
        StringBuilder row = new StringBuilder("<table><thead><tr>");
        for (String h : header) row.append("<th>").append(escape(h)).append("</th>");
        raw(row.append("</tr></thead><tbody>").toString());
    }

    void tableRow(List<String> cells) {
        StringBuilder row = new StringBuilder("<tr>");
        for (String c : cells) row.append("<td>").append(escape(c)).append("</td>");
        raw(row.append("</tr>").toString());
    }

    void tableEnd() {
        raw("</tbody></table>");
    }

    String finish() {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title>\n<style>\n" + STYLE + "</style></head>\n<body>\n" + body + "</body></html>\n";
    }
}
