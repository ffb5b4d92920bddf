package dev.vista.web;

import dev.vista.report.Report;
import dev.vista.report.ReportCatalogue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the catalogue: one path per report, each column a
 * filter parameter, the row schema from the columns' types. Built once at start-up; a new view is in it
 * after a rebuild, like everywhere else.
 *
 * @see <a href="https://spec.openapis.org/oas/v3.1.0">OpenAPI 3.1</a>
 */
final class OpenApiDocument {

    private OpenApiDocument() {
    }

    static Map<String, Object> of(ReportCatalogue catalogue, int defaultLimit, int maxLimit) {
        var paths = new LinkedHashMap<String, Object>();
        var schemas = new LinkedHashMap<String, Object>();
        schemas.put("Error", object(ordered(
                "code", ordered("type", "string"),
                "message", ordered("type", "string"),
                "details", ordered(),
                "hint", ordered("type", List.of("string", "null"))), List.of("code", "message", "details", "hint")));
        paths.put("/api/reports", ordered("get", operation("listReports", "The catalogue: every report with its columns and sources",
                List.of(), ordered("200", json("The reports", ordered("type", "array", "items", ordered("type", "object")))))));
        for (var report : catalogue.all()) {
            var row = "#/components/schemas/" + report.name();
            schemas.put(report.name(), rowSchema(report));
            var parameters = new ArrayList<Object>();
            for (var column : report.columns()) {
                parameters.add(parameter(column.name(), "query",
                        "Filter on " + column.name() + " (" + column.type() + "): operator.value with operator one of eq, neq, gt, gte, lt, lte, like, ilike, in, is;"
                                + " optionally prefixed by not.; repeat to combine with AND. E.g. " + column.name() + "=" + example(column),
                        ordered("type", "array", "items", ordered("type", "string")), true));
            }
            parameters.add(parameter("select", "query", "Columns to return, comma-separated, or *", ordered("type", "string"), false));
            parameters.add(parameter("order", "query", "Sort: column[.asc|.desc][.nullsfirst|.nullslast], comma-separated; the report's key breaks ties",
                    ordered("type", "string"), false));
            parameters.add(parameter("limit", "query", "At most this many rows (default " + defaultLimit + ", maximum " + maxLimit + ")",
                    ordered("type", "integer", "minimum", 0, "maximum", maxLimit, "default", defaultLimit), false));
            parameters.add(parameter("offset", "query", "Skip this many rows", ordered("type", "integer", "minimum", 0, "default", 0), false));
            parameters.add(parameter("source", "query", "Where the rows come from; all sources return the same rows",
                    ordered("type", "string", "enum", report.sourceNames(), "default", report.defaultSource().name()), false));
            parameters.add(parameter("count", "query", "exact: as Prefer: count=exact, for links that cannot send a header",
                    ordered("type", "string", "enum", List.of("exact")), false));
            parameters.add(parameter("Prefer", "header", "count=exact adds Content-Range: first-last/total", ordered("type", "string", "enum", List.of("count=exact")), false));
            var responses = new LinkedHashMap<String, Object>();
            var content = new LinkedHashMap<String, Object>();
            content.put("application/json", ordered("schema", ordered("type", "array", "items", ordered("$ref", row))));
            content.put(ReportRequest.OBJECT, ordered("schema", ordered("$ref", row)));
            responses.put("200", ordered("description", "The rows", "content", content));
            responses.put("206", ordered("description", "Part of the rows, with Prefer: count=exact", "content", content,
                    "headers", ordered("Content-Range", ordered("schema", ordered("type", "string"), "description", "first-last/total"))));
            responses.put("400", error("A parameter is not valid: unknown column, value of the wrong type, limit over " + maxLimit));
            responses.put("404", error("No such report"));
            responses.put("406", error("Not a format this endpoint writes, or not exactly one row for an object"));
            responses.put("503", error("The database is unreachable or busy"));
            responses.put("504", error("The query took longer than the statement timeout"));
            var get = new LinkedHashMap<String, Object>();
            get.put("operationId", "report_" + report.name());
            get.put("summary", report.title());
            get.put("description", report.description());
            get.put("parameters", parameters);
            get.put("responses", responses);
            paths.put("/api/reports/" + report.name(), ordered("get", get));
            var filters = new ArrayList<Object>(parameters.subList(0, report.columns().size() + 4));
            paths.put("/api/reports/" + report.name() + "/compare", ordered("get", operation("compare_" + report.name(),
                    "The same query on every source of " + report.name() + ": SQL, EXPLAIN ANALYZE times, rows, and whether they agree",
                    filters, ordered("200", json("The comparison", ordered("type", "object")), "400", error("A parameter is not valid"),
                            "404", error("No such report")))));
        }
        var document = new LinkedHashMap<String, Object>();
        document.put("openapi", "3.1.0");
        document.put("info", ordered("title", "Vista", "version", "0.1.0",
                "description", "Reports from PostgreSQL views and materialized views, with PostgREST's query conventions."));
        document.put("paths", paths);
        document.put("components", ordered("schemas", schemas));
        return document;
    }

    private static Map<String, Object> rowSchema(Report report) {
        var properties = new LinkedHashMap<String, Object>();
        for (var column : report.columns()) {
            var schema = new LinkedHashMap<String, Object>(jsonType(column));
            if (column.field().getDataType().nullable()) {
                schema.put("type", List.of(schema.get("type"), "null"));
            }
            schema.put("description", column.type());
            properties.put(column.name(), schema);
        }
        var schema = object(properties, report.columnNames());
        schema.put("title", report.title());
        return schema;
    }

    /** JSON Schema for a column, as JsonRows writes its values. */
    static Map<String, Object> jsonType(Report.Column column) {
        return switch (column.type()) {
            case "bigint" -> ordered("type", "integer", "format", "int64");
            case "integer" -> ordered("type", "integer", "format", "int32");
            case "smallint" -> ordered("type", "integer");
            case "numeric", "double precision", "real" -> ordered("type", "number");
            case "boolean" -> ordered("type", "boolean");
            case "date" -> ordered("type", "string", "format", "date");
            case "timestamptz" -> ordered("type", "string", "format", "date-time");
            default -> ordered("type", "string");
        };
    }

    private static String example(Report.Column column) {
        return switch (column.type()) {
            case "bigint", "integer", "smallint" -> "gte.10";
            case "numeric", "double precision", "real" -> "lt.12.5";
            case "date" -> "gte.2026-11-01";
            case "timestamptz" -> "gte.2026-11-01T00:00:00Z";
            case "boolean" -> "is.true";
            default -> "eq.dashboard";
        };
    }

    private static Map<String, Object> operation(String id, String summary, List<Object> parameters, Map<String, Object> responses) {
        var operation = new LinkedHashMap<String, Object>();
        operation.put("operationId", id);
        operation.put("summary", summary);
        operation.put("parameters", parameters);
        operation.put("responses", responses);
        return operation;
    }

    private static Map<String, Object> parameter(String name, String in, String description, Map<String, Object> schema, boolean repeatable) {
        var parameter = new LinkedHashMap<String, Object>();
        parameter.put("name", name);
        parameter.put("in", in);
        parameter.put("description", description);
        parameter.put("required", false);
        parameter.put("schema", schema);
        if (repeatable) {
            parameter.put("style", "form");
            parameter.put("explode", true);
        }
        return parameter;
    }

    private static Map<String, Object> json(String description, Map<String, Object> schema) {
        return ordered("description", description, "content", ordered("application/json", ordered("schema", schema)));
    }

    private static Map<String, Object> error(String description) {
        return json(description, ordered("$ref", "#/components/schemas/Error"));
    }

    private static Map<String, Object> object(Map<String, Object> properties, List<String> required) {
        var schema = new LinkedHashMap<String, Object>();
        schema.put("type", "object");
        schema.put("properties", properties);
        schema.put("required", required);
        return schema;
    }

    /** A JSON object whose keys keep the order given, so the document reads the same on every start. */
    private static Map<String, Object> ordered(Object... namesAndSchemas) {
        var map = new LinkedHashMap<String, Object>();
        for (int i = 0; i < namesAndSchemas.length; i += 2) {
            map.put((String) namesAndSchemas[i], namesAndSchemas[i + 1]);
        }
        return map;
    }
}
