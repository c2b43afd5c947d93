package dev.mono4j.train;

import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenStream;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import java.nio.file.Path;

/**
 * A pretraining run's {@link RunFolder#STATE} ({@code trainer_state.json} in older run folders), saved in each checkpoint: how far the run is and everything else it needs
 * to continue: the config, where its data is, and the data's token counts and checksums (a resumed run
 * refuses data that has changed, since it would not reproduce the run); for a run from a checkpoint, that model's
 * validation loss before any step ({@code initialValidLoss}; null from scratch, and in older run folders).
 */
record TrainerState(int step, long tokens, PretrainConfig config, String train, long trainTokens, long trainChecksum,
        String valid, long validTokens, long validChecksum, Double initialValidLoss) {

    static TrainerState start(PretrainConfig config, TokenStream train, TokenStream valid, Double initialValidLoss) {
        return new TrainerState(0, 0, config, train.source().toAbsolutePath().toString(), train.size(), train.checksum(),
                valid.source().toAbsolutePath().toString(), valid.size(), valid.checksum(), initialValidLoss);
    }

    TrainerState atStep(int step) {
        return new TrainerState(step, step * config.tokensPerStep(), config, train, trainTokens, trainChecksum, valid,
                validTokens, validChecksum, initialValidLoss);
    }

    void write(Path file) {
        AtomicFiles.writeString(file, Json.write(this));
    }

    static TrainerState read(Path file) {
        return Json.read(file, TrainerState.class, "trainer state");
    }

    /** Fails unless the data reads as it did when the run started. */
    void checkSameData(TokenStream trainNow, TokenStream validNow) {
        check(trainNow, trainTokens, trainChecksum);
        check(validNow, validTokens, validChecksum);
    }

    private static void check(TokenStream now, long tokens, long checksum) {
        if (now.size() != tokens || now.checksum() != checksum) {
            throw new UserInputException(now.source() + ": encodes to " + now.size() + " tokens (checksum " + now.checksum()
                    + ") but the run started on " + tokens + " (checksum " + checksum + "); the data changed, so resuming"
                    + " would not continue the same run");
        }
    }
}
