package dev.vista.web.page;

import java.util.List;

/**
 * What the base layout needs of every page: its title, where it sits (breadcrumbs, the last one being the page
 * itself), the asset URLs, and whether it draws a chart (only then are uPlot and the chart script loaded).
 */
public record Layout(String title, List<Crumb> crumbs, Assets assets, boolean chart) {

    /** A step of the breadcrumb trail; {@code url} is null for the current page. */
    public record Crumb(String label, String url) {
    }

    public static Layout of(Assets assets, String title, boolean chart, Crumb... crumbs) {
        return new Layout(title, List.of(crumbs), assets, chart);
    }
}
