package dev.vista.web.page;

import java.util.List;

/**
 * What the base layout needs of every page: its title, where it sits (breadcrumbs, the last one being the page
 * itself), the asset URLs, whether it draws a chart (only then are uPlot and the chart script loaded), and who is
 * signed in (the header's "Sign in", or the role and "Sign out").
 */
public record Layout(String title, List<Crumb> crumbs, Assets assets, boolean chart, Visitor visitor) {

    /** A step of the breadcrumb trail; {@code url} is null for the current page. */
    public record Crumb(String label, String url) {
    }

    public static Layout of(Assets assets, Visitor visitor, String title, boolean chart, Crumb... crumbs) {
        return new Layout(title, List.of(crumbs), assets, chart, visitor);
    }
}
