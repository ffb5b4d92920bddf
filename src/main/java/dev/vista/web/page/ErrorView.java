package dev.vista.web.page;

import dev.vista.report.Report;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An error as a page: its status and what it means in words, the message and hint of the JSON error, and, for a bad
 * parameter of a report page, that report's filter form with the message next to the field concerned; for a page that
 * needs a token, a link to the sign-in page that comes back to it ({@code signIn}).
 */
public record ErrorView(Layout layout, int status, String heading, String message, String hint, String report, FilterForm form,
                        String signIn) {

    public static ErrorView of(Assets assets, Visitor visitor, int status, String message, String hint) {
        var heading = heading(status);
        return new ErrorView(layout(assets, visitor, heading), status, heading, message, sentence(hint), null, null, null);
    }

    /**
     * A page that needs a token (401), without one or with one refused ({@code refused}, the reason: "the token has
     * expired"), and the way in: the sign-in page, which sends the browser back to {@code next}, this page.
     */
    public static ErrorView unauthorized(Assets assets, Visitor visitor, Optional<String> refused, String next) {
        var heading = heading(401);
        var message = refused.map(reason -> "This page needs a token, and the one sent with this request is not accepted: " + reason + ".")
                .orElse("This page needs a token, and this browser has not signed in with one.");
        return new ErrorView(layout(assets, visitor, heading), 401, heading, message,
                "Sign in with a token, and Vista brings you back to this page.", null, null, Links.login(next));
    }

    private static Layout layout(Assets assets, Visitor visitor, String heading) {
        return Layout.of(assets, visitor, heading, false, new Layout.Crumb("Reports", Links.catalogue()), new Layout.Crumb(heading, null));
    }

    /** A 400 on a report page: the form as it was submitted, the message next to {@code parameter}'s field. */
    public static ErrorView badQuery(Assets assets, Visitor visitor, Report report, Map<String, List<String>> params, String parameter,
                                     String message, String hint, boolean realtime) {
        var heading = heading(400);
        var form = FilterForm.of(report, params, List.of(), realtime, Optional.of(new FilterForm.Problem(parameter, message)));
        return new ErrorView(Layout.of(assets, visitor, heading + ": " + report.title(), false, new Layout.Crumb("Reports", Links.catalogue()),
                new Layout.Crumb(report.title(), Links.report(report.name(), dev.vista.report.ReportQuery.all())), new Layout.Crumb(heading, null)),
                400, heading, message, sentence(hint), report.title(), form, null);
    }

    /** An API hint ("page through the report ...") as a sentence on a page. */
    static String sentence(String hint) {
        return hint == null || hint.isEmpty() ? null : Character.toUpperCase(hint.charAt(0)) + hint.substring(1) + (hint.endsWith(".") ? "" : ".");
    }

    static String heading(int status) {
        return switch (status) {
            case 400 -> "This query cannot be answered";
            case 401 -> "Not signed in";
            case 403 -> "Not allowed";
            case 404 -> "Not found";
            case 406 -> "Not a format Vista writes";
            case 416 -> "Past the last row";
            case 503 -> "The database is unavailable";
            case 504 -> "The query took too long";
            default -> status >= 500 ? "Something went wrong" : "The request was refused";
        };
    }
}
