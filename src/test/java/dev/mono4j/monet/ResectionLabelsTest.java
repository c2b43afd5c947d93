package dev.mono4j.monet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import dev.mono4j.data.LabelledText;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which labels a resection covers when few texts leave a label without held-out texts. */
class ResectionLabelsTest {
    private static List<LabelledText> held(String... labels) {
        return java.util.Arrays.stream(labels).map(l -> new LabelledText("t", "a b", l, null)).toList();
    }

    @Test
    void aLabelWithoutHeldOutTextsIsLeftOutUnlessAskedFor() {
        List<String> seen = List.of("food", "music", "sports");
        assertEquals(List.of("food", "sports"), Resection.chosen(seen, List.of(), held("sports", "food", "food")));
        UserInputException asked = assertThrows(UserInputException.class,
                () -> Resection.chosen(seen, List.of("music"), held("sports", "food")));
        assertTrue(asked.getMessage().startsWith("--only: music"), asked.getMessage());
        UserInputException tooFew = assertThrows(UserInputException.class,
                () -> Resection.chosen(seen, List.of(), held("food")));
        assertTrue(tooFew.getMessage().contains("only [food]"), tooFew.getMessage());
    }
}
