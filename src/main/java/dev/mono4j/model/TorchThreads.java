package dev.mono4j.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/** PyTorch's intra-op thread count, which is one per process (torch.set_num_threads / get_num_threads). */
public final class TorchThreads {
    private TorchThreads() {
    }

    /** Sets PyTorch's intra-op threads to {@code n} (at least 1), loading the engine if needed. */
    public static void set(int n) {
        Engine.getEngine("PyTorch"); // loads the native library the call below needs
        JniUtils.setNumThreads(n);
    }

    /** PyTorch's intra-op threads now. */
    public static int get() {
        Engine.getEngine("PyTorch");
        return JniUtils.getNumThreads();
    }
}
