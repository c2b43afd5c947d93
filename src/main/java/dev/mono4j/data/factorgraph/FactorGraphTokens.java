package dev.mono4j.data.factorgraph;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The token scheme of factor-graph lines (our choice): one word-level token per (variable, value) pair,
 * {@code v3_2} ("variable 3 has value 2"), and one query token per variable, {@code v7?}. A line is the V − 1
 * observed pairs, the masked variable's query and, last, its pair: so the answer is one of the K tokens
 * {@code v7_0 … v7_(K−1)}, and a language model's next-token distribution after the query, renormalised over those
 * K tokens, is a distribution over the masked variable's values. Vocabulary: V·K pairs, then V queries.
 */
public final class FactorGraphTokens {
    private static final Pattern PAIR = Pattern.compile("v(\\d{1,9})_(\\d{1,9})");
    private static final Pattern QUERY = Pattern.compile("v(\\d{1,9})\\?");

    private FactorGraphTokens() {
    }

    public static String pair(int variable, int value) {
        return "v" + variable + "_" + value;
    }

    public static String query(int variable) {
        return "v" + variable + "?";
    }

    /** Every pair token in (variable, value) order, then every query token. */
    public static List<String> vocabulary(int variables, int values) {
        List<String> words = new ArrayList<>();
        for (int v = 0; v < variables; v++) {
            for (int k = 0; k < values; k++) {
                words.add(pair(v, k));
            }
        }
        for (int v = 0; v < variables; v++) {
            words.add(query(v));
        }
        return words;
    }

    /** {variable, value} of a pair token, or null when {@code token} is not one. */
    static int[] parsePair(String token) {
        Matcher m = PAIR.matcher(token);
        return m.matches() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))} : null;
    }

    /** The variable of a query token, or −1 when {@code token} is not one. */
    static int parseQuery(String token) {
        Matcher m = QUERY.matcher(token);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }
}
