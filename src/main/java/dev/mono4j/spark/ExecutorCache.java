package dev.mono4j.spark;

import dev.mono4j.model.TorchThreads;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.spark.TaskContext;

/**
 * What Spark tasks keep for the life of their executor JVM: things costly to load (a model and its tokenizer),
 * made once per key however many tasks run there, and PyTorch's thread count fitted to the task slots.
 */
public final class ExecutorCache {
    private static final Map<String, Object> LOADED = new ConcurrentHashMap<>();

    private ExecutorCache() {
    }

    /**
     * The value for {@code key}, made by {@code load} on first use in this JVM (concurrent first uses wait for
     * one load). Never closed: it lives as long as the executor, which is what caching it is for.
     *
     * @param key say what is loaded and from where, e.g. "model " + the absolute folder
     */
    @SuppressWarnings("unchecked")
    public static <T> T get(String key, Supplier<T> load) {
        return (T) LOADED.computeIfAbsent(key, k -> load.get());
    }

    /**
     * Limits PyTorch's intra-op threads to the cores one task slot holds ({@code spark.task.cpus}, 1 unless set):
     * an executor with C cores runs C / task.cpus tasks at once, each with its own OpenMP team, so
     * slots × threads = C and the cores are not oversubscribed. Torch's setting is process-wide, so every task
     * of the JVM sets the same value. Outside a task (on the driver) it does nothing.
     */
    public static void limitTorchThreadsToTaskSlot() {
        TaskContext task = TaskContext.get();
        if (task != null && TorchThreads.get() != task.cpus()) {
            TorchThreads.set(task.cpus());
        }
    }
}
