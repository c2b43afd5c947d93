package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.assertBadInput;
import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mono4j.testing.TinyModels;
import dev.mono4j.testing.WordLevelTokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, item 4: {@code sae eval} refuses an SAE whose cfg.json hook_name is not the hook of the rows it is
 * evaluated on (the store's hook, or --hook when spliced into a model), naming both; {@code --force} overrides.
 * Before, an SAE trained on blocks.1 reported an FVU on a blocks.0 store with exit 0.
 */
class SaeEvalHookCommandTest {
    @TempDir
    static Path tmp;

    @Test
    void anSaeOfAnotherHookIsRefusedUnlessForced() throws Exception {
        Path model = TinyModels.save(TinyModels.gpt2(), 2, tmp.resolve("model"));
        Path texts = Files.writeString(tmp.resolve("texts.txt"), WordLevelTokenizers.text(WordLevelTokenizers.words(40), 12, 1));
        Path store0 = tmp.resolve("store0");
        Path store1 = tmp.resolve("store1");
        for (Object[] s : new Object[][] {{store0, "blocks.0.hook_resid_post"}, {store1, "blocks.1.hook_resid_post"}}) {
            assertEquals(0, cli("sae", "cache", model, "--hook", s[1], "--data", texts, "--out", s[0], "--max-tokens", 32)
                    .code());
        }
        Path run = tmp.resolve("sae1");
        CliTest.Run t = cli("sae", "train", "--architecture", "relu", "--activations", store1, "--d-sae", 32, "--batch-size",
                16, "--steps", 4, "--buffer-rows", 64, "--out", run);
        assertEquals(0, t.code(), t.err());
        Path sae = run.resolve("final");

        assertEquals(0, cli("sae", "eval", sae, "--activations", store1, "--out", tmp.resolve("same")).code());
        Path out = tmp.resolve("other");
        assertBadInput(cli("sae", "eval", sae, "--activations", store0, "--out", out), "cfg.json",
                "hook_name 'blocks.1.hook_resid_post'", "store.json's hook 'blocks.0.hook_resid_post'", "--force");
        assertEquals(false, Files.exists(out));
        CliTest.Run forced = cli("sae", "eval", sae, "--activations", store0, "--out", out, "--force");
        assertEquals(0, forced.code(), forced.err());

        assertBadInput(cli("sae", "eval", sae, "--model", model, "--hook", "blocks.0.hook_resid_post", "--data", texts,
                "--samples", 4, "--max-tokens", 32, "--out", tmp.resolve("spliced")), "hook_name 'blocks.1.hook_resid_post'",
                "--hook 'blocks.0.hook_resid_post'", "--force");
    }
}
