package dev.mono4j.onnx;

import dev.mono4j.UserInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor of an ONNX graph (an initializer or a Constant node's value): its name, ONNX data type, shape and,
 * for FLOAT and INT64 tensors, its little-endian bytes. Other data types are kept by name only; asking for
 * their values is an error naming the tensor, so a graph whose unused constants have other types still reads.
 *
 * @param source   the file, for error messages
 * @param data     little-endian element bytes (a view of the file's bytes when stored as raw_data);
 *                 null for other data types and for data kept in an external file
 * @param external whether the data lives in a separate file (ONNX external data), which is not read
 */
public record OnnxTensor(String source, String name, int dataType, long[] dims, ByteBuffer data, boolean external) {
    public static final int FLOAT = 1;
    public static final int INT64 = 7;

    public long numel() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    public int rank() {
        return dims.length;
    }

    /** Whether its type is a floating-point one (FLOAT, FLOAT16, DOUBLE, BFLOAT16), readable or not. */
    public boolean isFloatingPoint() {
        return dataType == FLOAT || dataType == 10 || dataType == 11 || dataType == 16;
    }

    /** Whether it is one FLOAT number (a scalar or a one-element tensor), such as an epsilon or a scale. */
    public boolean isFloatScalar() {
        return dataType == FLOAT && numel() == 1;
    }

    public String shapeString() {
        return Arrays.toString(dims);
    }

    /** The FLOAT tensor's bytes, little-endian, as a fresh view (not a copy). */
    public ByteBuffer f32() {
        require(FLOAT);
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    public float[] floats() {
        float[] v = new float[Math.toIntExact(numel())];
        f32().asFloatBuffer().get(v);
        return v;
    }

    public long[] longs() {
        require(INT64);
        long[] v = new long[Math.toIntExact(numel())];
        data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(v);
        return v;
    }

    /** Fails with a one-line error naming the tensor unless it is a readable tensor of {@code type}. */
    public void require(int type) {
        if (dataType != FLOAT && dataType != INT64) {
            throw new UserInputException(source + ": tensor '" + name + "' has data type " + typeName(dataType)
                    + "; only FLOAT (1) and INT64 (7) tensors can be read");
        }
        if (dataType != type) {
            throw new UserInputException(source + ": tensor '" + name + "' has data type " + typeName(dataType)
                    + ", expected " + typeName(type));
        }
        if (external) {
            throw new UserInputException(source + ": tensor '" + name + "' keeps its data in an external file,"
                    + " which is not supported; save the model with its weights inside the .onnx file");
        }
    }

    /** A data type's number with its name in onnx.proto's TensorProto.DataType, e.g. "FLOAT16 (10)". */
    static String typeName(int type) {
        String[] names = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL",
            "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
        return type >= 0 && type < names.length ? names[type] + " (" + type + ")" : String.valueOf(type);
    }
}
