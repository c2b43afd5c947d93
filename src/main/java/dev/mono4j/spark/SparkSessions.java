package dev.mono4j.spark;

import org.apache.spark.sql.SparkSession;

/** A Spark session from a master string ({@code local[2]}, {@code spark://host:7077}, {@code yarn}). */
public final class SparkSessions {
    private SparkSessions() {
    }

    /**
     * The session for {@code master} (Spark's own if one is running, as under spark-submit). Our choices: no web
     * UI (a CLI run needs none, and tests must not open ports beyond the local ones); a local master binds the
     * driver to localhost, so it runs offline and with no name lookup of the machine.
     */
    public static SparkSession start(String master) {
        SparkSession.Builder b = SparkSession.builder().appName("mono4j").master(master)
                .config("spark.ui.enabled", "false");
        if (master.startsWith("local")) {
            b.config("spark.driver.host", "localhost").config("spark.driver.bindAddress", "127.0.0.1");
        }
        return b.getOrCreate();
    }
}
