package dev.mono4j.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.Dtype;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.io.TensorInfo;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.LogProbs;
import dev.mono4j.model.Transformer;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs a batch through the model and saves logits and hooked activations to one safetensors file, like
 * TransformerLens' run_with_cache written to disk: {@code input_ids}, {@code attention_mask} (I64),
 * {@code logits} (F32; an encoder's {@code last_hidden_state}) and one F32 tensor per matching hook point,
 * under its hook name.
 */
@Command(name = "forward", mixinStandardHelpOptions = true, description = "Run a batch and save logits and hook activations to safetensors.")
final class ForwardCommand extends CliCommand {
    @Mixin
    CheckpointFolder checkpoint;

    static final class Input {
        @Option(names = "--text", description = "Text to run (repeatable; padded into one batch).")
        List<String> texts;

        @Option(names = "--input", description = "Safetensors file with I64 input_ids [batch, seq] (and optionally attention_mask).")
        Path file;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--hooks", defaultValue = "", description = "Glob(s) of hook names to save, e.g. 'blocks.*.hook_resid_post'.")
    String hooks;

    @Option(names = "--gradients", description = "Glob(s) of hook names whose gradient to save as NAME_grad:"
            + " ∂L/∂activation of the batch's mean next-token loss (decoders; TransformerLens' backward-hook names).")
    String gradients;

    @Mixin
    InterventionOptions interventions;

    @Option(names = "--out", required = true, description = "Output safetensors file.")
    Path out;

    @Option(names = "--pad-side", defaultValue = "RIGHT", description = "Padding side for --text: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    TokenBatch.PadSide padSide;

    @Option(names = "--batch-size", defaultValue = "8", description = "Rows per forward pass (memory bound).")
    int batchSize;

    @Option(names = "--no-logits", description = "Do not save logits (batch × seq × vocab floats; an encoder's last_hidden_state).")
    boolean noLogits;

    @Mixin
    NonFiniteOption nonFinite;

    @Option(names = "--overwrite", description = "Replace --out if it exists.")
    boolean overwrite;

    @Override
    public void run() {
        if (Files.exists(out) && !overwrite) {
            throw new UserInputException(out + ": file exists; pass --overwrite to replace it");
        }
        if (batchSize < 1) {
            throw new UserInputException("--batch-size must be at least 1");
        }
        // Input first: a bad input file or a missing tokenizer fails before the model is loaded.
        TokenBatch batch = input.file != null ? readInput(input.file) : encode();
        if (batch.seqLen() == 0 || batch.batchSize() == 0) {
            throw new UserInputException("the input holds no tokens");
        }
        try (Transformer model = Checkpoint.load(checkpoint.dir, nonFinite.policy()); InterventionOptions owned = interventions) {
            checkOutputSize(batch, model);
            model.checkTokenIds(batch, input.file != null ? input.file + ": tensor 'input_ids' " : "--text: ");
            if (gradients != null && !(model instanceof TransformerLM)) {
                throw new UserInputException("--gradients needs a causal LM (its loss is the next-token loss); "
                        + checkpoint.dir.resolve("config.json") + " is an encoder");
            }
            // The SAE's own hook points exist once it is spliced in (a dry attach names them).
            interventions.attach(new Hooks(), model);
            List<String> known = new java.util.ArrayList<>(model.hookNames());
            if (interventions.spliceHook() != null) {
                HookPoint.SAE_HOOKS.forEach(k -> known.add(HookPoint.sae(interventions.spliceHook(), k)));
            }
            for (String[] flag : new String[][] {{"--hooks", hooks}, {"--gradients", gradients}}) {
                if (flag[1] == null || flag[1].isBlank()) {
                    continue;
                }
                Pattern p = HookPoint.glob(flag[1]);
                if (known.stream().noneMatch(h -> p.matcher(h).matches())) {
                    throw new UserInputException(flag[0] + " '" + flag[1] + "' matches no hook point of this model (e.g. "
                            + HookPoint.residPost(0) + ", " + HookPoint.mlpPost(0) + "; see ./mono4j inspect)");
                }
            }
            Map<String, ByteBuffer> results = run(model, batch);
            SafetensorsWriter w = new SafetensorsWriter();
            w.addI64("input_ids", new long[] {batch.batchSize(), batch.seqLen()}, batch.ids());
            w.addI64("attention_mask", new long[] {batch.batchSize(), batch.seqLen()}, batch.mask());
            for (Map.Entry<String, ByteBuffer> e : results.entrySet()) {
                long[] tail = tails.get(e.getKey());
                long[] shape = new long[1 + tail.length];
                shape[0] = batch.batchSize();
                System.arraycopy(tail, 0, shape, 1, tail.length);
                w.add(e.getKey(), Dtype.F32, shape, e.getValue().flip());
            }
            w.write(out);
            out().printf("wrote %s: %d × %d tokens, %s%n", out, batch.batchSize(), batch.seqLen(),
                    String.join(", ", results.keySet()));
        }
    }

    /**
     * Each saved tensor's shape after its batch axis, as the model made it (e.g. {@code [seq, vocab]}, an attention
     * pattern's {@code [head, query, key]}, Monet's routing {@code [seq, heads, experts]}).
     */
    private final Map<String, long[]> tails = new LinkedHashMap<>();

    /**
     * Runs micro-batches and gathers each saved tensor into one little-endian F32 buffer. With {@code --gradients}
     * each micro-batch's loss is its share of the whole batch's mean (summed NLL over the batch's real targets), so
     * the saved gradients do not depend on {@code --batch-size}.
     */
    private Map<String, ByteBuffer> run(Transformer model, TokenBatch batch) {
        Map<String, ByteBuffer> results = new LinkedHashMap<>();
        int t = batch.seqLen();
        double targets = 0;
        for (float v : LogProbs.defaultTargetMask(batch)) {
            targets += v;
        }
        if (gradients != null && targets == 0) {
            throw new UserInputException("--gradients: no row has two real tokens, so there is no next-token loss");
        }
        for (int start = 0; start < batch.batchSize(); start += batchSize) {
            int n = Math.min(batchSize, batch.batchSize() - start);
            TokenBatch part = new TokenBatch(n, t, Arrays.copyOfRange(batch.ids(), start * t, (start + n) * t),
                    Arrays.copyOfRange(batch.mask(), start * t, (start + n) * t));
            try (NDManager step = model.manager().newSubManager();
                    GradientCollector gc = gradients == null ? null : Engine.getInstance().newGradientCollector()) {
                Hooks h = new Hooks();
                if (!hooks.isBlank()) {
                    h.alsoCapture(hooks);
                }
                if (gradients != null) {
                    h.alsoCaptureGradients(gradients);
                }
                interventions.attach(h, model);
                NDArray output = model.forward(step, part, h);
                Map<String, NDArray> save = new LinkedHashMap<>();
                if (!noLogits) {
                    save.put(model.outputName(), output);
                }
                save.putAll(h.captured());
                if (gc != null) {
                    double share = 0;
                    for (float v : LogProbs.defaultTargetMask(part)) {
                        share += v;
                    }
                    if (share > 0) {
                        gc.backward(LogProbs.meanNll(output, part).mul(step.full(new Shape(), (float) (share / targets))));
                    }
                    for (String name : h.gradientNames()) {
                        save.put(name + "_grad", share > 0 ? h.gradient(name) : h.get(name).zerosLike());
                    }
                }
                for (Map.Entry<String, NDArray> e : save.entrySet()) {
                    long[] shape = e.getValue().getShape().getShape();
                    tails.put(e.getKey(), Arrays.copyOfRange(shape, 1, shape.length));
                    float[] v = e.getValue().toFloatArray();
                    long bytes = (long) v.length / n * batch.batchSize() * 4;
                    if (bytes > Integer.MAX_VALUE) {
                        throw new UserInputException(e.getKey() + " of " + batch.batchSize() + " rows would exceed 2 GB;"
                                + " run fewer rows");
                    }
                    ByteBuffer buf = results.computeIfAbsent(e.getKey(), k -> ByteBuffer.allocate((int) bytes)
                            .order(ByteOrder.LITTLE_ENDIAN));
                    buf.asFloatBuffer().put(v); // the view starts at buf's position
                    buf.position(buf.position() + v.length * 4);
                }
            }
        }
        return results;
    }

    /** Refuses up front (not after the whole run) outputs that one safetensors tensor here cannot hold. */
    private void checkOutputSize(TokenBatch batch, Transformer model) {
        long tokens = (long) batch.batchSize() * batch.seqLen();
        long output = model.outputWidth();
        long widest = noLogits ? model.config().intermediateSize() : Math.max(output, model.config().intermediateSize());
        if (tokens * Math.max(widest, model.config().hiddenSize()) * 4 > Integer.MAX_VALUE) {
            throw new UserInputException("outputs of " + tokens + " tokens would exceed 2 GB per tensor; run fewer rows"
                    + (noLogits ? "" : " or pass --no-logits"));
        }
    }

    private TokenBatch encode() {
        try (Tokenizer tok = Tokenizer.load(checkpoint.dir)) {
            return TokenBatch.encode(tok, input.texts, padSide);
        }
    }

    /** Reads input_ids (and attention_mask, if present); the model checks the ids against its vocabulary. */
    static TokenBatch readInput(Path file) {
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            if (!r.tensors().containsKey("input_ids")) {
                throw new UserInputException(file + ": no tensor 'input_ids' (expected I64 [batch, seq])");
            }
            TensorInfo info = r.info("input_ids");
            if (info.shape().length != 2 || (info.dtype() != Dtype.I64 && info.dtype() != Dtype.I32)) {
                throw new UserInputException(file + ": tensor 'input_ids' is " + info.dtype() + " " + info.shapeString()
                        + ", expected I64 [batch, seq]");
            }
            int b = Math.toIntExact(info.shape()[0]);
            int t = Math.toIntExact(info.shape()[1]);
            long[] ids = r.readLongs("input_ids");
            long[] mask = new long[ids.length];
            Arrays.fill(mask, 1);
            if (r.tensors().containsKey("attention_mask")) {
                TensorInfo m = r.info("attention_mask");
                if (!Arrays.equals(m.shape(), info.shape())) {
                    throw new UserInputException(file + ": tensor 'attention_mask' has shape " + m.shapeString()
                            + " but input_ids has " + info.shapeString());
                }
                mask = r.readLongs("attention_mask");
            }
            return new TokenBatch(b, t, ids, mask);
        }
    }
}
