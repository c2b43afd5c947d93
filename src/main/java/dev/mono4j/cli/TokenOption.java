package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.tokenize.Tokenizer;

/**
 * A token named on the command line ({@code --answer}, {@code --wrong}, {@code --target}): text that the model's
 * tokenizer turns into exactly one token (special tokens such as BOS left aside; mind GPT-2's leading space,
 * " Paris"), or {@code id:N} for a token id.
 */
final class TokenOption {
    static final String HELP = "one token: text the tokenizer makes one token of, or id:N";

    private TokenOption() {
    }

    static long resolve(Tokenizer tok, String flag, String value) {
        if (value.startsWith("id:")) {
            try {
                return Long.parseLong(value.substring(3));
            } catch (NumberFormatException e) {
                throw new UserInputException(flag + " '" + value + "': id:N takes a whole number");
            }
        }
        Tokenizer.Encoded e = tok.encodeWithOffsets(value);
        long[] text = java.util.stream.IntStream.range(0, e.ids().length).filter(i -> !e.special(i))
                .mapToLong(i -> e.ids()[i]).toArray();
        if (text.length != 1) {
            throw new UserInputException(flag + " '" + value + "' is " + text.length + " tokens; give " + HELP);
        }
        if (tok.unkId().isPresent() && text[0] == tok.unkId().getAsLong()) {
            throw new UserInputException(flag + " '" + value + "' is not in the tokenizer's vocabulary");
        }
        return text[0];
    }
}
