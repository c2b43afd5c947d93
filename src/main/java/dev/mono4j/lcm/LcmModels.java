package dev.mono4j.lcm;

import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;

/** Trained LCMs as {@link ConceptModel}s: the folder {@code lcm train} writes ({@code final/} or {@code checkpoint/}). */
public final class LcmModels {
    private LcmModels() {
    }

    /** The Base-LCM or Two-Tower in {@code dir}, by its {@link LcmSettings#FILE}. */
    public static ConceptModel load(Path dir) {
        return LcmNetwork.load(dir);
    }

    /** What {@code dir}'s model was trained on and how it predicts, without loading weights. */
    public static LcmSettings settings(Path dir) {
        Path file = dir.resolve(LcmSettings.FILE);
        if (!Files.isRegularFile(file)) {
            throw new UserInputException(dir + ": no " + LcmSettings.FILE + " (not a folder lcm train wrote)");
        }
        return Json.read(file, LcmSettings.class, "LCM settings");
    }
}
