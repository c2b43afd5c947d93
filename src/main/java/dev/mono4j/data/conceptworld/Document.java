package dev.mono4j.data.conceptworld;

import java.util.List;

/**
 * One generated story, with a label for every token.
 *
 * @param tokens    the words as written (in the story's dialect), punctuation as separate tokens
 * @param concepts  per token: "domain:word" for domain words (the domain gives a polysemous word's sense),
 *                  "topic:domain" for the topic word, "positive"/"negative" for sentiment adjectives,
 *                  "insult", "name"; null for function words and punctuation
 * @param sentiment per token, the sentence's sentiment: positive, negative or neutral
 * @param hostility per token, the sentence's hostility: hostile or polite for speech, none otherwise
 * @param nll       −ln p of the whole document under the generator, BOS excluded and EOS included: the
 *                  loss a perfect model pays on it
 */
public record Document(int id, String dialect, String domain, List<String> tokens, List<String> concepts,
        List<String> sentiment, List<String> hostility, double nll) {

    public String text() {
        return String.join(" ", tokens);
    }

    /** Tokens a language model predicts for this document: every word plus the end-of-sequence token. */
    public int predictedTokens() {
        return tokens.size() + 1;
    }
}
