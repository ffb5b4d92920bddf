package dev.vista.web.page;

import gg.jte.Content;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The page templates of src/main/jte, compiled into the jar at build time by jte-maven-plugin: one base layout
 * ({@code layout.jte}) and a small template per part. Each page renders one view model; JTE escapes every value for
 * where it lands (element text, attribute, URL attribute), so no value in a report can become markup.
 */
public final class Pages {

    private final TemplateEngine templates = TemplateEngine.createPrecompiled(ContentType.Html);
    private final Assets assets;
    private final KeptParts kept = new KeptParts(512);
    private final String edition;

    public Pages(Assets assets) {
        this.assets = assets;
        this.edition = assets.hostedPath() + " " + assets.uplotScript() + " " + Instant.now();
    }

    public Assets assets() {
        return assets;
    }

    /**
     * What else makes a page's bytes but its view model: the templates and the assets they link to. Both change only
     * with a new jar, which takes a new process, so the moment this one started names them (a page validator made of
     * it lets no browser keep a page of an older edition).
     */
    public String edition() {
        return edition;
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

    /**
     * A part of a page: {@code template} with the one parameter {@code model} makes, rendered once for {@code key}
     * (which holds all the model is made from) and kept (see {@link KeptParts}).
     */
    Content part(String template, Object key, Supplier<?> model) {
        return kept.get(new Part(template, key), () -> render(template, model.get()));
    }

    /** A part of a page rendered for this page only. */
    Content part(String template, Object model) {
        return new KeptParts.Rendered(render(template, model));
    }

    private record Part(String template, Object key) {
    }

    private byte[] render(String template, Object view) {
        var output = new PageBuffer(16 * 1024);
        templates.render(template, view, output);
        return output.toByteArray();
    }
}
