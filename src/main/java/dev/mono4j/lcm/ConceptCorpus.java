package dev.mono4j.lcm;

import java.util.List;
import java.util.Map;

/**
 * Documents as sequences of concepts: every distinct sentence embedded once by a frozen sentence encoder (the
 * bank), each document a list of indices into the bank ending with the end-of-document sentence (the authors'
 * "End of text.", facebookresearch/large_concept_model@fd7db80 recipes). What {@code lcm embed} writes and every
 * other {@code lcm} command reads.
 *
 * @param encoder    the encoder's name or folder (as {@code lcm embed} recorded it)
 * @param dim        embedding width
 * @param bank       raw encoder embeddings of the distinct sentences, {@code [sentences × dim]} row-major
 * @param sentences  the distinct sentences, bank order
 * @param labels     per distinct sentence, what the source says of it (ConceptWorld: domain, sentiment); may be empty
 * @param documents  the documents, each with its split
 * @param normalizer fitted on the training documents' sentences
 */
public record ConceptCorpus(String encoder, int dim, float[] bank, List<String> sentences,
        List<Map<String, String>> labels, List<Document> documents, Normalizer normalizer) {

    /** Which part of the data a document belongs to. */
    public enum Split {
        TRAIN, VALID, TEST
    }

    /** One document: its id, split, and its sentences as bank indices (the last one the end-of-document concept). */
    public record Document(String id, Split split, int[] sentences) {
    }

    public ConceptCorpus {
        sentences = List.copyOf(sentences);
        labels = List.copyOf(labels);
        documents = List.copyOf(documents);
        if (bank.length != sentences.size() * dim) {
            throw new IllegalArgumentException(bank.length + " bank values for " + sentences.size() + " × " + dim);
        }
    }

    /** The raw embedding of bank sentence {@code i}. */
    public float[] embedding(int i) {
        return java.util.Arrays.copyOfRange(bank, i * dim, (i + 1) * dim);
    }

    /** The documents of one split, in corpus order. */
    public List<Document> documents(Split split) {
        return documents.stream().filter(d -> d.split() == split).toList();
    }
}
