package dev.vista.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

// A count on the command line: a whole number >= 0, with underscores allowed as in Java (--visits 10_000_000).
final class WholeNumber implements ITypeConverter<Long> {

    @Override
    public Long convert(String value) {
        try {
            var number = Long.parseLong(value.replace("_", ""));
            if (number >= 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new TypeConversionException("'" + value + "' is not a whole number >= 0");
    }
}
