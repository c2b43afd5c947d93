package dev.mono4j.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Packages depend one way (docs/architecture.md): no package of {@code src/main} reaches itself through the
 * packages it uses. A use is an import or a fully qualified name in code; comments do not count (a
 * {@code {@link}} to another package is documentation, not a dependency).
 */
class PackageCyclesTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern USE = Pattern.compile("\\b(dev\\.mono4j(?:\\.[a-z]\\w*)*)\\.[A-Z]");

    @Test
    void noPackageReachesItself() throws IOException {
        Map<String, Map<String, String>> uses = uses(SOURCES);
        List<String> cycles = new ArrayList<>();
        for (var e : uses.entrySet()) {
            for (var dep : e.getValue().entrySet()) {
                if (e.getKey().compareTo(dep.getKey()) < 0 && reach(uses, dep.getKey()).contains(e.getKey())) {
                    cycles.add(e.getKey() + " <-> " + dep.getKey() + " (" + dep.getValue() + " uses " + dep.getKey() + ")");
                }
            }
        }
        assertEquals(List.of(), cycles);
    }

    @Test
    void aCycleIsFound(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Files.createDirectories(tmp.resolve("a"));
        Files.createDirectories(tmp.resolve("b"));
        Files.writeString(tmp.resolve("a/A.java"), "package dev.mono4j.a;\nimport dev.mono4j.b.B;\nclass A {}\n");
        Files.writeString(tmp.resolve("b/B.java"), "package dev.mono4j.b;\n/** {@link dev.mono4j.c.C} */\n"
                + "class B { Object x = dev.mono4j.a.A.class; }\n");
        Map<String, Map<String, String>> uses = uses(tmp);
        assertEquals(Set.of("dev.mono4j.a", "dev.mono4j.b"), reach(uses, "dev.mono4j.a"));
        assertEquals(Set.of("dev.mono4j.a"), uses.get("dev.mono4j.b").keySet()); // the comment's link is no use
    }

    /** Package → the packages it uses → the first file that uses each. */
    private static Map<String, Map<String, String>> uses(Path root) throws IOException {
        Map<String, Map<String, String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String code = COMMENT.matcher(Files.readString(f)).replaceAll("");
                Matcher pkg = PACKAGE.matcher(code);
                if (!pkg.find()) {
                    continue;
                }
                Map<String, String> deps = uses.computeIfAbsent(pkg.group(1), k -> new TreeMap<>());
                Matcher m = USE.matcher(code);
                while (m.find()) {
                    if (!m.group(1).equals(pkg.group(1))) {
                        deps.putIfAbsent(m.group(1), root.relativize(f).toString());
                    }
                }
            }
        }
        return uses;
    }

    private static Set<String> reach(Map<String, Map<String, String>> uses, String from) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(from));
        while (!todo.isEmpty()) {
            for (String d : uses.getOrDefault(todo.pop(), Map.of()).keySet()) {
                if (seen.add(d)) {
                    todo.push(d);
                }
            }
        }
        return seen;
    }
}
