package dev.vista.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Prometheus' text exposition format 0.0.4, read strictly, as {@code promtool check metrics} reads it: what Prometheus'
 * parser (expfmt) refuses is an {@link IllegalArgumentException} naming the line, and what promtool's linter (promlint)
 * reports is listed by {@link #lint}. No Java parser of the format ships on Maven Central (Prometheus' Java client
 * writes it only), hence this one, written from the format's specification and promlint's rules.
 *
 * @see <a href="https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details">Text format details</a>
 */
final class PrometheusText {

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|[+-]?Inf|NaN");
    private static final Pattern TIMESTAMP = Pattern.compile("-?\\d+");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");
    private static final Pattern CAMEL_CASE = Pattern.compile("[a-z][A-Z]");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    /** A metric family: its name (without _bucket, _sum, _count for histograms and summaries), type, help and samples. */
    record Family(String name, String type, String help, List<Sample> samples) {

        /** The samples named {@code name} whose labels include all of {@code labels}. */
        List<Sample> find(String name, Map<String, String> labels) {
            return samples.stream().filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())).toList();
        }
    }

    private PrometheusText() {
    }

    /** The families in the order they appear; a sample outside a declared family forms an untyped family of its own. */
    static Map<String, Family> parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the text does not end with a line feed");
        }
        var families = new LinkedHashMap<String, Family>();
        var helps = new TreeMap<String, String>();
        var types = new TreeMap<String, String>();
        String current = null;
        var lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            var line = lines[i];
            var at = "line " + (i + 1) + ": " + line + ": ";
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                var parts = line.substring(1).strip().split("[ \t]+", 3);
                if (parts.length < 2 || !parts[0].equals("HELP") && !parts[0].equals("TYPE")) {
                    continue; // a plain comment
                }
                var name = parts[1];
                require(METRIC_NAME.matcher(name).matches(), at + "invalid metric name");
                if (parts[0].equals("HELP")) {
                    require(helps.put(name, unescapeHelp(parts.length > 2 ? parts[2] : "", at)) == null, at + "second HELP line for " + name);
                } else {
                    var type = parts.length > 2 ? parts[2].strip() : "";
                    require(TYPES.contains(type), at + "unknown metric type '" + type + "'");
                    require(types.put(name, type) == null, at + "second TYPE line for " + name);
                    require(!families.containsKey(name) || families.get(name).samples().isEmpty(), at + "TYPE line after samples of " + name);
                }
                var family = families.computeIfAbsent(name, n -> new Family(n, "untyped", null, new ArrayList<>()));
                families.put(name, new Family(name, types.getOrDefault(name, "untyped"), helps.get(name), family.samples()));
                current = name;
                continue;
            }
            var sample = sample(line, at);
            var family = familyOf(sample.name(), families);
            if (family == null) {
                family = new Family(sample.name(), "untyped", null, new ArrayList<>());
                families.put(sample.name(), family);
            }
            require(family.name().equals(current) || family.samples().isEmpty(), at + "samples of " + family.name() + " are not grouped together");
            current = family.name();
            require(family.samples().stream().noneMatch(s -> s.name().equals(sample.name()) && s.labels().equals(sample.labels())),
                    at + "duplicate sample");
            checkSuffix(family, sample, at);
            family.samples().add(sample);
        }
        families.values().forEach(PrometheusText::checkHistogram);
        return families;
    }

    /** What promtool check metrics would print for these families, as "name: problem". */
    static List<String> lint(Map<String, Family> families) {
        var problems = new ArrayList<String>();
        for (var family : families.values()) {
            var name = family.name();
            var type = family.type();
            if (family.help() == null) {
                problems.add(name + ": no help text");
            }
            metricUnit(name).ifPresent(problems::add);
            var total = name.endsWith("_total");
            if (type.equals("counter") && !total) {
                problems.add(name + ": counter metrics should have \"_total\" suffix");
            } else if (!type.equals("untyped") && !type.equals("counter") && total) {
                problems.add(name + ": non-counter metrics should not have \"_total\" suffix");
            }
            if (!type.equals("untyped")) {
                if (!type.equals("histogram") && name.endsWith("_bucket")) {
                    problems.add(name + ": non-histogram metrics should not have \"_bucket\" suffix");
                }
                if (!type.equals("histogram") && !type.equals("summary") && (name.endsWith("_count") || name.endsWith("_sum"))) {
                    problems.add(name + ": non-histogram and non-summary metrics should not have \"_count\" or \"_sum\" suffix");
                }
                if (name.toLowerCase(Locale.ROOT).contains("_" + type + "_") || name.toLowerCase(Locale.ROOT).endsWith("_" + type)) {
                    problems.add(name + ": metric name should not include type '" + type + "'");
                }
            }
            if (name.contains(":")) {
                problems.add(name + ": metric names should not contain ':'");
            }
            if (CAMEL_CASE.matcher(name).find()) {
                problems.add(name + ": metric names should be written in 'snake_case' not 'camelCase'");
            }
            for (var sample : family.samples()) {
                for (var label : sample.labels().keySet()) {
                    if (CAMEL_CASE.matcher(label).find()) {
                        problems.add(name + ": label names should be written in 'snake_case' not 'camelCase'");
                    }
                }
            }
            for (var abbreviation : List.of("s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d")) {
                var lower = name.toLowerCase(Locale.ROOT);
                if (lower.contains("_" + abbreviation + "_") || lower.endsWith("_" + abbreviation)) {
                    problems.add(name + ": metric names should not contain abbreviated units");
                }
            }
        }
        return problems;
    }

    private static Sample sample(String line, String at) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
            i++;
        }
        var name = line.substring(0, i);
        require(METRIC_NAME.matcher(name).matches(), at + "invalid metric name '" + name + "'");
        var labels = new TreeMap<String, String>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                i = skipBlanks(line, i);
                require(i < line.length(), at + "unterminated label set");
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int start = i;
                while (i < line.length() && line.charAt(i) != '=' && line.charAt(i) != ' ') {
                    i++;
                }
                var label = line.substring(start, i);
                require(LABEL_NAME.matcher(label).matches() && !label.startsWith("__"), at + "invalid label name '" + label + "'");
                i = skipBlanks(line, i);
                require(i + 1 < line.length() && line.charAt(i) == '=' && line.charAt(i + 1) == '"', at + "expected =\" after " + label);
                i += 2;
                var value = new StringBuilder();
                while (true) {
                    require(i < line.length(), at + "unterminated label value");
                    var c = line.charAt(i++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        require(i < line.length(), at + "unterminated escape");
                        var escaped = line.charAt(i++);
                        switch (escaped) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> throw new IllegalArgumentException(at + "invalid escape \\" + escaped + " in a label value");
                        }
                    } else {
                        value.append(c);
                    }
                }
                require(labels.put(label, value.toString()) == null, at + "duplicate label " + label);
                i = skipBlanks(line, i);
                require(i < line.length(), at + "unterminated label set");
                if (line.charAt(i) == ',') {
                    i++;
                } else {
                    require(line.charAt(i) == '}', at + "expected , or } after a label");
                }
            }
        }
        require(i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t'), at + "expected a blank before the value");
        var rest = line.substring(i).strip().split("[ \t]+");
        require(rest.length == 1 || rest.length == 2, at + "expected a value and at most a timestamp");
        require(FLOAT.matcher(rest[0]).matches(), at + "invalid value '" + rest[0] + "'");
        require(rest.length == 1 || TIMESTAMP.matcher(rest[1]).matches(), at + "invalid timestamp");
        var value = switch (rest[0]) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(rest[0]);
        };
        return new Sample(name, Map.copyOf(labels), value);
    }

    /** The declared family a sample belongs to: its own name, or for histograms and summaries the name without its suffix. */
    private static Family familyOf(String sample, Map<String, Family> families) {
        for (var suffix : List.of("_bucket", "_sum", "_count")) {
            if (sample.endsWith(suffix)) {
                var family = families.get(sample.substring(0, sample.length() - suffix.length()));
                if (family != null && (family.type().equals("histogram") || family.type().equals("summary") && !suffix.equals("_bucket"))) {
                    return family;
                }
            }
        }
        return families.get(sample);
    }

    private static void checkSuffix(Family family, Sample sample, String at) {
        switch (family.type()) {
            case "histogram" -> {
                require(!sample.name().equals(family.name()), at + "a histogram's samples are _bucket, _sum and _count");
                require(!sample.name().endsWith("_bucket") || sample.labels().containsKey("le"), at + "a bucket without an le label");
            }
            case "summary" -> require(!sample.name().equals(family.name()) || sample.labels().containsKey("quantile"),
                    at + "a summary's sample without a quantile label");
            default -> require(sample.name().equals(family.name()), at + "sample " + sample.name() + " in family " + family.name());
        }
    }

    /** Each histogram series: buckets cumulative, one of them le="+Inf", equal to its _count. */
    private static void checkHistogram(Family family) {
        if (!family.type().equals("histogram")) {
            return;
        }
        var series = new LinkedHashMap<Map<String, String>, TreeMap<Double, Double>>();
        for (var sample : family.samples()) {
            if (sample.name().endsWith("_bucket")) {
                var labels = new TreeMap<>(sample.labels());
                var le = labels.remove("le");
                series.computeIfAbsent(Map.copyOf(labels), k -> new TreeMap<>()).put(parseLe(le, family), sample.value());
            }
        }
        series.forEach((labels, buckets) -> {
            require(buckets.containsKey(Double.POSITIVE_INFINITY), family.name() + labels + ": no le=\"+Inf\" bucket");
            var previous = 0.0;
            for (var count : buckets.values()) {
                require(count >= previous, family.name() + labels + ": buckets are not cumulative: " + buckets);
                previous = count;
            }
            var count = family.find(family.name() + "_count", labels).stream().filter(s -> s.labels().equals(labels)).findFirst();
            require(count.isPresent() && count.get().value() == buckets.get(Double.POSITIVE_INFINITY),
                    family.name() + labels + ": _count differs from the +Inf bucket");
        });
    }

    private static double parseLe(String le, Family family) {
        require(le != null && FLOAT.matcher(le).matches(), family.name() + ": invalid le '" + le + "'");
        return le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
    }

    private static Optional<String> metricUnit(String name) {
        var units = Map.ofEntries(Map.entry("amperes", "amperes"), Map.entry("bytes", "bytes"), Map.entry("celsius", "celsius"),
                Map.entry("grams", "grams"), Map.entry("joules", "joules"), Map.entry("kelvin", "kelvin"), Map.entry("meters", "meters"),
                Map.entry("metres", "metres"), Map.entry("seconds", "seconds"), Map.entry("volts", "volts"), Map.entry("minutes", "seconds"),
                Map.entry("hours", "seconds"), Map.entry("days", "seconds"), Map.entry("weeks", "seconds"), Map.entry("kelvins", "kelvin"),
                Map.entry("fahrenheit", "celsius"), Map.entry("rankine", "celsius"), Map.entry("inches", "meters"), Map.entry("yards", "meters"),
                Map.entry("miles", "meters"), Map.entry("bits", "bytes"), Map.entry("calories", "joules"), Map.entry("pounds", "grams"),
                Map.entry("ounces", "grams"));
        var prefixes = List.of("pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo", "kibi", "mega", "mibi", "giga",
                "gibi", "tera", "tebi", "peta", "pebi");
        for (var part : name.split("_")) {
            if (units.containsKey(part)) {
                return units.get(part).equals(part) ? Optional.empty()
                        : Optional.of(name + ": use base unit \"" + units.get(part) + "\" instead of \"" + part + "\"");
            }
            for (var prefix : prefixes) {
                if (part.startsWith(prefix) && units.containsKey(part.substring(prefix.length()))) {
                    return Optional.of(name + ": use base unit \"" + units.get(part.substring(prefix.length())) + "\" instead of \"" + part + "\"");
                }
            }
        }
        return Optional.empty();
    }

    private static String unescapeHelp(String text, String at) {
        var out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            var c = text.charAt(i);
            if (c == '\\') {
                require(i + 1 < text.length(), at + "unterminated escape in HELP");
                var escaped = text.charAt(++i);
                switch (escaped) {
                    case '\\' -> out.append('\\');
                    case 'n' -> out.append('\n');
                    default -> throw new IllegalArgumentException(at + "invalid escape \\" + escaped + " in HELP");
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int skipBlanks(String line, int i) {
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(problem);
        }
    }
}
