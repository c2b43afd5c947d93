package dev.mono4j.metrics;

/** How a text's token activations become one vector for the per-sample metrics (FD, effective rank). */
public enum Pool {
    /** The last real token's activation, as DecPO does (it reads position −1). */
    LAST,
    /** The mean over the text's real tokens. */
    MEAN
}
