package dev.vista.web.page;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.Utf8ByteOutput;

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

    /** Each page as UTF-8 bytes: the templates' static parts are bytes already (jte's binary content), only values are encoded. */
    public byte[] catalogue(CatalogueView view) {
        return render("catalogue.jte", view);
    }

    public byte[] report(ReportView view) {
        return render("report.jte", view);
    }

    public byte[] compare(CompareView view) {
        return render("compare.jte", view);
    }

    public byte[] login(LoginView view) {
        return render("login.jte", view);
    }

    public byte[] error(ErrorView view) {
        return render("error.jte", view);
    }

    private byte[] render(String template, Object view) {
        var output = new Utf8ByteOutput();
        templates.render(template, view, output);
        return output.toByteArray();
    }
}
