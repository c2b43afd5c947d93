package dev.mono4j.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TensorBoard tags for a log line as Hugging Face's Trainer writes them (and so TRL's trainers, built on it): a
 * metric {@code eval_x} becomes {@code eval/x}, any other {@code x} becomes {@code train/x} ({@code rewrite_logs},
 * src/transformers/integrations/integration_utils.py@23b2354078d27fff8e5abb7a37324282aa84eba4, which its
 * TensorBoardCallback applies before {@code add_scalar}).
 */
public final class TrainerTags {
    private TrainerTags() {
    }

    /** {@code rewrite_logs} on one key. */
    public static String rewrite(String key) {
        return key.startsWith("eval_") ? "eval/" + key.substring("eval_".length()) : "train/" + key;
    }

    /**
     * Every number of {@code fields} but {@code step} (which is the event's step), tagged by {@link #rewrite} of its
     * key as {@code renames} maps it to the Trainer's (or TRL's) metric name, else of its own key; a list of numbers
     * gives one tag per index, {@code <tag>/<index>} (our choice). Other values (strings, index arrays) are left out.
     */
    public static Map<String, Double> scalars(Map<String, Object> fields, Map<String, String> renames) {
        Map<String, Double> tags = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            String tag = rewrite(renames.getOrDefault(e.getKey(), e.getKey()));
            if (e.getKey().equals("step")) {
                continue;
            }
            if (e.getValue() instanceof Number n) {
                tags.put(tag, n.doubleValue());
            } else if (e.getValue() instanceof List<?> list && list.stream().allMatch(x -> x instanceof Number)) {
                for (int i = 0; i < list.size(); i++) {
                    tags.put(tag + "/" + i, ((Number) list.get(i)).doubleValue());
                }
            }
        }
        return tags;
    }
}
