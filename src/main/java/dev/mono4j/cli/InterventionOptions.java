package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.hooks.Interventions;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.TensorInfo;
import dev.mono4j.model.Transformer;
import dev.mono4j.sae.SaeSplice;
import dev.mono4j.sae.SparseAutoencoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * The interventions {@code forward} and {@code generate} run with (declared once): steering vectors, an SAE spliced in
 * at its hook with latents clamped or steered along, attention heads ablated. Close it after the run: it owns the SAE.
 */
final class InterventionOptions implements AutoCloseable {
    @Option(names = "--steer", paramLabel = "HOOK:COEF:FILE[:TENSOR]",
            description = "Add COEF × a vector at HOOK, every position (repeatable). FILE: safetensors with the 1-d vector"
                    + " (its only tensor, or TENSOR).")
    List<String> steers = new ArrayList<>();

    @Option(names = "--ablate-head", paramLabel = "LAYER.HEAD", description = "Zero a head's hook_z (repeatable).")
    List<String> ablatedHeads = new ArrayList<>();

    @Option(names = "--sae", description = "A SAELens SAE folder to splice in at its hook (cfg.json hook_name or --sae-hook).")
    Path sae;

    @Option(names = "--sae-hook", description = "Where to splice --sae (default: its cfg.json hook_name).")
    String saeHook;

    @Option(names = "--no-error-term", description = "Replace the hook by the SAE's reconstruction alone (default: add the"
            + " reconstruction error back, so only changed latents change the model, as SAELens' use_error_term).")
    boolean noErrorTerm;

    @Option(names = "--clamp", paramLabel = "LATENT=VALUE", description = "Set an SAE latent to VALUE at every position"
            + " (repeatable; needs --sae; 0 turns it off).")
    List<String> clamps = new ArrayList<>();

    @Option(names = "--steer-latent", paramLabel = "LATENT=COEF", description = "Add COEF × the latent's decoder row at"
            + " the SAE's hook (repeatable; needs --sae).")
    List<String> steerLatents = new ArrayList<>();

    private SparseAutoencoder loaded;
    private String spliceAt;
    /** What {@link #attach} adds, made on its first call. */
    private List<Consumer<Hooks>> prepared;

    /** Whether any intervention or splice was asked for. */
    boolean any() {
        return !steers.isEmpty() || !ablatedHeads.isEmpty() || sae != null;
    }

    /** The SAE's hook when one is spliced in, else null (after {@link #attach} once). */
    String spliceHook() {
        return spliceAt;
    }

    /**
     * Adds the interventions to {@code hooks} for a pass of {@code model}. The flags are parsed, the vector files read
     * and the SAE loaded on the first call only; later calls (one per micro-batch) reuse them.
     */
    Hooks attach(Hooks hooks, Transformer model) {
        if (prepared == null) {
            prepared = prepare(model);
        }
        prepared.forEach(p -> p.accept(hooks));
        return hooks;
    }

    /** Each intervention as what adds it to a pass's hooks, in flag order: steers, ablations, then the SAE's. */
    private List<Consumer<Hooks>> prepare(Transformer model) {
        if (sae == null && (!clamps.isEmpty() || !steerLatents.isEmpty() || saeHook != null || noErrorTerm)) {
            throw new UserInputException("--clamp, --steer-latent, --sae-hook and --no-error-term need --sae");
        }
        List<Consumer<Hooks>> all = new ArrayList<>();
        for (String s : steers) {
            String[] parts = s.split(":", 4);
            if (parts.length < 3) {
                throw new UserInputException("--steer " + s + ": expected HOOK:COEF:FILE[:TENSOR]");
            }
            checkHook(model, parts[0], "--steer");
            float[] v = vector(Path.of(parts[2]), parts.length == 4 ? parts[3] : null);
            double coefficient = number(parts[1], "--steer " + s);
            all.add(h -> Interventions.addVector(h, parts[0], v, coefficient));
        }
        for (String a : ablatedHeads) {
            String[] lh = a.split("\\.");
            if (lh.length != 2) {
                throw new UserInputException("--ablate-head " + a + ": expected LAYER.HEAD, e.g. 1.3");
            }
            int layer = (int) number(lh[0], "--ablate-head " + a);
            int head = (int) number(lh[1], "--ablate-head " + a);
            checkHook(model, HookPoint.attnZ(layer), "--ablate-head " + a);
            all.add(h -> Interventions.ablateHead(h, layer, head));
        }
        if (sae != null) {
            loaded = SparseAutoencoder.load(sae, model.manager());
            spliceAt = saeHook != null ? saeHook : loaded.hookName();
            if (spliceAt == null) {
                throw new UserInputException(sae.resolve(SparseAutoencoder.CONFIG) + ": no hook_name; pass --sae-hook");
            }
            checkHook(model, spliceAt, "--sae-hook");
            all.add(h -> SaeSplice.attach(h, loaded, spliceAt, !noErrorTerm));
            for (String c : clamps) {
                String[] kv = keyValue(c, "--clamp");
                int latent = (int) number(kv[0], "--clamp " + c);
                float value = (float) number(kv[1], "--clamp " + c);
                all.add(h -> SaeSplice.clampLatent(h, loaded, spliceAt, latent, value));
            }
            for (String st : steerLatents) {
                String[] kv = keyValue(st, "--steer-latent");
                float[] row = SaeSplice.decoderRow(loaded, (int) number(kv[0], "--steer-latent " + st));
                double coefficient = number(kv[1], "--steer-latent " + st);
                all.add(h -> Interventions.addVector(h, spliceAt, row, coefficient));
            }
        }
        return all;
    }

    private static void checkHook(Transformer model, String hook, String flag) {
        if (!model.hookNames().contains(hook)) {
            throw new UserInputException(flag + ": '" + hook + "' is not a hook point of this model (./mono4j inspect lists"
                    + " them)");
        }
    }

    private static String[] keyValue(String s, String flag) {
        String[] kv = s.split("=", 2);
        if (kv.length != 2) {
            throw new UserInputException(flag + " " + s + ": expected LATENT=NUMBER");
        }
        return kv;
    }

    private static double number(String s, String what) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new UserInputException(what + ": '" + s + "' is not a number");
        }
    }

    /** The 1-d F32 vector in a safetensors file: its only tensor, or the named one. */
    private static float[] vector(Path file, String name) {
        if (!Files.isRegularFile(file)) {
            throw new UserInputException("--steer: " + file + " is not a file");
        }
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            if (name == null && r.tensors().size() != 1) {
                throw new UserInputException(file + ": holds " + r.tensors().size() + " tensors; name one as"
                        + " HOOK:COEF:FILE:TENSOR");
            }
            String tensor = name != null ? name : r.tensors().keySet().iterator().next();
            if (!r.tensors().containsKey(tensor)) {
                throw new UserInputException(file + ": no tensor '" + tensor + "'");
            }
            TensorInfo info = r.info(tensor);
            if (info.shape().length != 1) {
                throw new UserInputException(file + ": tensor '" + tensor + "' is " + info.shapeString()
                        + ", expected a vector [d]");
            }
            return r.readFloats(tensor);
        }
    }

    @Override
    public void close() {
        if (loaded != null) {
            loaded.close();
            loaded = null;
        }
    }
}
