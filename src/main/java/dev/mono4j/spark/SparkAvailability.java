package dev.mono4j.spark;

import dev.mono4j.UserInputException;

/**
 * Whether Apache Spark is on the class path, asked before any Spark class is touched: Spark is a provided
 * dependency, so the plain build ({@code target/lib}) runs without it and {@code --spark} must say what to do.
 */
public final class SparkAvailability {
    /** The class whose presence means Spark SQL (and so Spark core) can run. */
    static final String SESSION_CLASS = "org.apache.spark.sql.SparkSession";

    private SparkAvailability() {
    }

    /** Fails with one line naming {@code flag} unless Spark is on the class path. */
    public static void require(String flag) {
        require(flag, SESSION_CLASS);
    }

    /** {@link #require(String)} with the class to look for (a seam for the test of the message). */
    static void require(String flag, String sessionClass) {
        try {
            Class.forName(sessionClass, false, SparkAvailability.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new UserInputException(flag + " needs Apache Spark on the class path: build it with `mvn -P spark"
                    + " package` (./mono4j then adds target/spark-lib), or run target/mono4j-spark.jar with spark-submit"
                    + " (docs/scale-out.md)");
        }
    }
}
