package dev.mono4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RunLoop} with a toy method (one weight fitted to a target, logging every 3 steps as SAE training does,
 * with a per-step hook after each update): schedule, log, checkpoint, resume, and the stop on a non-finite loss.
 */
class RunLoopTest {
    @TempDir
    Path tmp;

    /** A line of the toy's log. */
    record Line(int step, double loss, double w) implements StepRecord {
        @Override
        public Map<String, Object> toJson() {
            return Json.object("step", step, "loss", loss, "w", w);
        }

        @Override
        public String status() {
            return "loss " + loss;
        }

        @Override
        public Map<String, Double> scalars() {
            return TrainerTags.scalars(toJson(), Map.of());
        }
    }

    /**
     * Minimises (w - target)²; {@code poisonAt} makes that step's loss NaN, {@code explodeAt} multiplies that step's
     * reported loss by 10^6, {@code infiniteWeightAt} sets w to infinity after that step's update.
     */
    static final class Toy implements RunLoop.Method<Line> {
        final NDManager manager = NDManager.newBaseManager();
        final NDArray w = manager.create(new float[] {0});
        final double target;
        final int poisonAt;
        int explodeAt = -1;
        int infiniteWeightAt = -1;
        final List<Integer> updated = new ArrayList<>();

        Toy(double target, int poisonAt) {
            this.target = target;
            this.poisonAt = poisonAt;
            w.setRequiresGradient(true);
        }

        @Override
        public double backward(int step) {
            try (NDManager m = manager.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = w.sub(m.create(new float[] {(float) target})).square().sum();
                gc.backward(loss);
                return step == poisonAt ? Double.NaN : step == explodeAt ? 1e6 * loss.getFloat() : loss.getFloat();
            }
        }

        @Override
        public void afterUpdate(int step) {
            updated.add(step);
            if (step == infiniteWeightAt) {
                w.set(new float[] {Float.POSITIVE_INFINITY});
            }
        }

        @Override
        public Line record(RunLoop.Step s) {
            return new Line(s.step(), s.loss(), w.toFloatArray()[0]);
        }

        @Override
        public Object state(int step) {
            return Json.object("step", step, "w", w.toFloatArray()[0]);
        }

        @Override
        public void saveCheckpoint(Path dir, AtomicFiles.FolderContent loopFiles) {
            AtomicFiles.writeFolder(dir, true, RunFolder.STATE, "toy checkpoint", loopFiles);
        }

        void restore(Path out) {
            w.set(new float[] {Json.read(out.resolve(RunFolder.CHECKPOINT).resolve(RunFolder.STATE)).get("w").floatValue()});
        }
    }

    private static RunPlan plan(int steps) {
        return new RunPlan(steps, 3, 4, new LrSchedule(0.1, 0, steps, 1.0), new AdamWConfig(0.1, 0.9, 0.999, 1e-8, 0), 0,
                "toy", "rows", 8);
    }

    @Test
    void logsEveryThirdStepCheckpointsEveryFourthAndAfterTheLast() throws Exception {
        Path out = tmp.resolve("run");
        Files.createDirectories(out);
        List<Line> heard = new ArrayList<>();
        long[] units = {0};
        RunListener<Line> listener = new RunListener<>() {
            @Override
            public void logged(Line line) {
                heard.add(line);
            }

            @Override
            public void advanced(long n, String status) {
                units[0] += n;
            }
        };
        Toy t = new Toy(2, -1);
        RunLoop.Result<Line> r = RunLoop.run(out, plan(10), t, Map.of("w", t.w), t.manager, 0, listener);
        assertEquals(List.of(3, 6, 9, 10), heard.stream().map(Line::step).toList());
        assertEquals(10, r.last().step());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), t.updated, "the hook runs after every update");
        assertEquals(80, units[0], "8 rows a step");
        assertEquals(4, Files.readAllLines(out.resolve(RunFolder.LOG)).size());
        assertEquals(10, Json.read(out.resolve(RunFolder.CHECKPOINT).resolve(RunFolder.STATE)).get("step").asInt());
        assertTrue(Files.exists(out.resolve(RunFolder.CHECKPOINT).resolve(AdamW.STATE_JSON)));
        assertTrue(heard.get(3).loss() < heard.get(0).loss(), "w moves to the target");
        t.manager.close();
    }

    /** Killed after step 7 (checkpoint at 4, lines 3 and 6): resuming drops line 6 and ends as the whole run. */
    @Test
    void resumingContinuesExactlyAndDropsLinesAfterTheCheckpoint() throws Exception {
        Path whole = Files.createDirectories(tmp.resolve("whole"));
        Toy a = new Toy(2, -1);
        RunLoop.run(whole, plan(10), a, Map.of("w", a.w), a.manager, 0, l -> { });

        Path split = Files.createDirectories(tmp.resolve("split"));
        Toy b = new Toy(2, -1);
        class Kill extends RuntimeException {
        }
        assertThrows(Kill.class, () -> RunLoop.run(split, plan(10), b, Map.of("w", b.w), b.manager, 0, l -> {
            if (l.step() == 6) {
                throw new Kill();
            }
        }));
        Toy c = new Toy(2, -1);
        c.restore(split);
        JsonNode last = RunLoop.resumeLog(split, plan(10), 4);
        assertEquals(3, last.get("step").asInt(), "the last line logged by step 4");
        RunLoop.run(split, plan(10), c, Map.of("w", c.w), c.manager, 4, l -> { });
        assertEquals(Files.readAllLines(whole.resolve(RunFolder.LOG)), Files.readAllLines(split.resolve(RunFolder.LOG)));
        assertEquals(a.w.toFloatArray()[0], c.w.toFloatArray()[0]);

        assertNull(RunLoop.resumeLog(Files.createDirectories(tmp.resolve("early")), plan(10), 2), "no line by step 2");
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve(RunFolder.LOG), "{\"step\":2}\n");
        UserInputException foreign = assertThrows(UserInputException.class, () -> RunLoop.resumeLog(other, plan(10), 4));
        assertTrue(foreign.getMessage().contains("has no line for step 3"), foreign.getMessage());
        for (Toy t : List.of(a, b, c)) {
            t.manager.close();
        }
    }

    @Test
    void aNonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("run"));
        Toy t = new Toy(2, 6);
        UserInputException e = assertThrows(UserInputException.class,
                () -> RunLoop.run(out, plan(10), t, Map.of("w", t.w), t.manager, 0, l -> { }));
        assertEquals("step 6: loss is NaN; stopped, the last good checkpoint (step 4) is in "
                + out.resolve(RunFolder.CHECKPOINT) + " (lower --lr?)", e.getMessage());
        assertEquals(4, Json.read(out.resolve(RunFolder.CHECKPOINT).resolve(RunFolder.STATE)).get("step").asInt());
        assertEquals(List.of(1, 2, 3, 4, 5), t.updated, "no update at the bad step");
        assertEquals(1, Files.readAllLines(out.resolve(RunFolder.LOG)).size(), "step 3's line only");
        assertFalse(e.getMessage().contains("\n"));
        t.manager.close();
    }

    @Test
    void aNonFiniteWeightStopsTheRunBeforeACheckpointHoldsIt() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("run"));
        Toy t = new Toy(2, -1);
        t.infiniteWeightAt = 8; // a checkpoint step: no later loss sees the infinity first
        UserInputException e = assertThrows(UserInputException.class,
                () -> RunLoop.run(out, plan(10), t, Map.of("w", t.w), t.manager, 0, l -> { }));
        assertEquals("step 8: weight w is not finite after the update; stopped, the last good checkpoint (step 4) is in "
                + out.resolve(RunFolder.CHECKPOINT) + " (lower --lr?)", e.getMessage());
        assertEquals(4, Json.read(out.resolve(RunFolder.CHECKPOINT).resolve(RunFolder.STATE)).get("step").asInt());
        assertTrue(Float.isFinite(Json.read(out.resolve(RunFolder.CHECKPOINT).resolve(RunFolder.STATE)).get("w").floatValue()));
        t.manager.close();
    }

    @Test
    void aLossThatExplodesWhileFiniteIsWarnedAboutOnce() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("run"));
        Toy t = new Toy(2, -1);
        t.explodeAt = 5;
        List<String> warnings = new ArrayList<>();
        RunListener<Line> listener = new RunListener<>() {
            @Override
            public void logged(Line line) {
            }

            @Override
            public void warned(String message) {
                warnings.add(message);
            }
        };
        RunLoop.run(out, plan(10), t, Map.of("w", t.w), t.manager, 0, listener);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("step 5: loss "), warnings.get(0));
        assertTrue(warnings.get(0).contains("over 100 times step 1's (4.000)"), warnings.get(0));
        assertEquals(10, Json.read(out.resolve(RunFolder.CHECKPOINT).resolve(RunFolder.STATE)).get("step").asInt(),
                "a warning does not stop the run");

        Toy calm = new Toy(2, -1);
        List<String> none = new ArrayList<>();
        RunLoop.run(Files.createDirectories(tmp.resolve("calm")), plan(10), calm, Map.of("w", calm.w), calm.manager, 0,
                new RunListener<Line>() {
                    @Override
                    public void logged(Line line) {
                    }

                    @Override
                    public void warned(String message) {
                        none.add(message);
                    }
                });
        assertEquals(List.of(), none, "a converging run is not warned about");
        t.manager.close();
        calm.manager.close();
    }

    /** The pid of a process that has exited. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    /** Issue 17 item 5: what a kill -9 during a checkpoint's write leaves, resume tidies (only a dead writer's). */
    @Test
    void resumeTidiesWhatARunKilledWhileWritingLeft() throws Exception {
        long dead = deadPid();
        long alive = ProcessHandle.current().pid();
        Path out = Files.createDirectories(tmp.resolve("killed"));
        Files.createDirectories(out.resolve(RunFolder.CHECKPOINT));
        Files.writeString(out.resolve(RunFolder.CHECKPOINT).resolve(RunFolder.STATE), "{\"step\":4}");
        Path half = Files.createDirectories(out.resolve(".checkpoint.tmp-" + dead + "-77"));
        Files.write(half.resolve("model.safetensors"), new byte[4096]);
        Files.createDirectories(out.resolve(".final.tmp-" + dead + "-78"));
        Files.writeString(out.resolve(".summary.json.0b1e.tmp"), "{");
        Path running = Files.createDirectories(out.resolve(".checkpoint.tmp-" + alive + "-79"));
        Path users = Files.writeString(out.resolve("notes.txt"), "mine");

        assertEquals(out.resolve(RunFolder.CHECKPOINT).resolve(RunFolder.STATE), RunFolder.stateToResume(out, OLD));
        assertTrue(Files.notExists(half) && Files.notExists(out.resolve(".final.tmp-" + dead + "-78"))
                && Files.notExists(out.resolve(".summary.json.0b1e.tmp")), "a dead run's temp copies are gone");
        assertTrue(Files.exists(running), "a live process's temp folder is left alone");
        assertTrue(Files.exists(users), "the user's file is left alone");

        // Killed between the two renames: checkpoint/ moved aside as .checkpoint.old-*, the new one not in place.
        Path between = Files.createDirectories(tmp.resolve("between"));
        Path previous = Files.createDirectories(between.resolve(".checkpoint.old-" + dead + "-5"));
        Files.writeString(previous.resolve(RunFolder.STATE), "{\"step\":8}");
        Files.createDirectories(between.resolve(".checkpoint.tmp-" + dead + "-5"));
        assertEquals("{\"step\":8}", Files.readString(RunFolder.stateToResume(between, OLD)), "the previous checkpoint is back");
        try (var left = Files.list(between)) {
            assertEquals(List.of(RunFolder.CHECKPOINT), left.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static final RunFolder.OldNames OLD = new RunFolder.OldNames("x_log.jsonl", "x_state.json");

    @Test
    void anOldRunFolderIsRenamedToTodaysNames() throws Exception {
        RunFolder.OldNames old = new RunFolder.OldNames("x_log.jsonl", "x_state.json");
        Path out = tmp.resolve("old");
        Files.createDirectories(out.resolve(RunFolder.CHECKPOINT));
        assertFalse(RunFolder.hasCheckpoint(out, old));
        assertThrows(UserInputException.class, () -> RunFolder.stateToResume(out, old));
        Files.writeString(out.resolve("x_log.jsonl"), "{\"step\":1}\n");
        Files.writeString(out.resolve(RunFolder.CHECKPOINT).resolve("x_state.json"), "{\"step\":1}");
        assertTrue(RunFolder.hasCheckpoint(out, old));
        assertEquals(out.resolve(RunFolder.CHECKPOINT).resolve(RunFolder.STATE), RunFolder.stateToResume(out, old));
        assertEquals("{\"step\":1}\n", Files.readString(out.resolve(RunFolder.LOG)));
        assertTrue(Files.notExists(out.resolve("x_log.jsonl")));
        assertEquals("{\"step\":1}", Files.readString(out.resolve(RunFolder.CHECKPOINT).resolve(RunFolder.STATE)));
    }
}
