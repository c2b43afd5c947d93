package dev.mono4j.io;

import java.util.Arrays;

/** One tensor's entry in a safetensors header; begin/end are absolute file offsets. */
public record TensorInfo(String name, Dtype dtype, long[] shape, long begin, long end) {

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public long byteSize() {
        return end - begin;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
