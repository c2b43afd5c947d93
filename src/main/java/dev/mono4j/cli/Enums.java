package dev.mono4j.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

/**
 * The one way a flag value becomes an enum constant: case-insensitive, '-' for '_' ({@code released-code} is
 * {@code RELEASED_CODE}); anything else is an error listing the values. {@link #registerAll} makes it picocli's
 * converter for every enum-typed option and parameter, so a command declares the enum type and nothing more.
 */
final class Enums {
    private Enums() {
    }

    /** The constant {@code value} names; an {@link IllegalArgumentException} listing the values otherwise. */
    static <E extends Enum<E>> E parse(Class<E> type, String value) {
        String name = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E c : type.getEnumConstants()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not one of " + values(type));
    }

    /** The values a user types: lower case, '-' for '_'. */
    static List<String> values(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList();
    }

    /** Registers {@link #parse} as the converter of every enum type an option or parameter of {@code cli}'s tree takes. */
    static void registerAll(CommandLine cli) {
        for (ArgSpec arg : cli.getCommandSpec().args()) {
            for (Class<?> t : arg.auxiliaryTypes()) { // the element type of a List<E> option, else the type itself
                if (t.isEnum()) {
                    register(cli, t.asSubclass(Enum.class));
                }
            }
        }
        cli.getSubcommands().values().forEach(Enums::registerAll);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void register(CommandLine cli, Class<? extends Enum> type) {
        cli.registerConverter((Class) type, v -> {
            try {
                return parse((Class) type, v);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        });
    }
}
