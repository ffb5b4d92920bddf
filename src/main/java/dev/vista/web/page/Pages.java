package dev.vista.web.page;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;

/**
 * The page templates of src/main/jte, compiled into the jar at build time by jte-maven-plugin: one base layout
 * ({@code layout.jte}) and a small template per part. Each page renders one view model; JTE escapes every value for
 * where it lands (element text, attribute, URL attribute), so no value in a report can become markup.
 */
public final class Pages {

    private final TemplateEngine templates = TemplateEngine.createPrecompiled(ContentType.Html);
    private final Assets assets;

    public Pages(Assets assets) {
        this.assets = assets;
    }

    public Assets assets() {
        return assets;
    }

    public String catalogue(CatalogueView view) {
        return render("catalogue.jte", view);
    }

    public String report(ReportView view) {
        return render("report.jte", view);
    }

    public String compare(CompareView view) {
        return render("compare.jte", view);
    }

    public String error(ErrorView view) {
        return render("error.jte", view);
    }

    private String render(String template, Object view) {
        var output = new StringOutput(16 * 1024);
        templates.render(template, view, output);
        return output.toString();
    }
}
