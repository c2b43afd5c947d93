package dev.mono4j.onnx;

import dev.mono4j.UserInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.DoubleConsumer;
import java.util.function.LongConsumer;

/**
 * A cursor over one protobuf message in a byte array: the wire format only (tags, varints, fixed-width
 * numbers, length-delimited fields), no schema. The caller asks for each field's number with
 * {@link #nextField()} and reads its value with the method that fits its declared type, or skips it.
 * Embedded messages and byte fields are views of the same array, so nothing is copied.
 *
 * <p>Every read is bounds-checked against the message's end: a truncated or foreign file fails with a
 * one-line error naming {@code source} and the byte offset.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final byte[] bytes;
    private final String source;
    private final int end;
    private int pos;
    private int wireType;

    ProtoReader(byte[] bytes, int start, int end, String source) {
        this.bytes = bytes;
        this.pos = start;
        this.end = end;
        this.source = source;
    }

    boolean hasNext() {
        return pos < end;
    }

    /** Reads the next tag and returns its field number; its wire type is then {@link #wireType()}. */
    int nextField() {
        int at = pos;
        long tag = varint();
        wireType = (int) (tag & 7);
        long field = tag >>> 3;
        if (field == 0 || field > Integer.MAX_VALUE) {
            throw malformed(at, "field number " + field);
        }
        return (int) field;
    }

    int wireType() {
        return wireType;
    }

    long varint() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw malformed(pos, "a number runs past the end of its message");
            }
            byte b = bytes[pos++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw malformed(pos, "a number longer than 10 bytes");
    }

    float fixed32Float() {
        return Float.intBitsToFloat(fixed32());
    }

    private int fixed32() {
        require(4);
        int v = ByteBuffer.wrap(bytes, pos, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        pos += 4;
        return v;
    }

    /** The next length-delimited field as a reader of its own (an embedded message). */
    ProtoReader message() {
        int length = length();
        ProtoReader inner = new ProtoReader(bytes, pos, pos + length, source);
        pos += length;
        return inner;
    }

    String string() {
        int length = length();
        String s = new String(bytes, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }

    /** The next length-delimited field's bytes, as a little-endian view of the array (not a copy). */
    ByteBuffer bytesView() {
        int length = length();
        ByteBuffer view = ByteBuffer.wrap(bytes, pos, length).slice().order(ByteOrder.LITTLE_ENDIAN);
        pos += length;
        return view;
    }

    /** A repeated integer field: one varint, or (packed, as proto3 and ONNX write them) a run of varints. */
    void integers(LongConsumer each) {
        if (wireType == LENGTH_DELIMITED) {
            ProtoReader packed = message();
            while (packed.hasNext()) {
                each.accept(packed.varint());
            }
        } else {
            expect(VARINT);
            each.accept(varint());
        }
    }

    /** A repeated float field: one fixed32, or a packed run of them. */
    void floats(DoubleConsumer each) {
        if (wireType == LENGTH_DELIMITED) {
            ProtoReader packed = message();
            while (packed.hasNext()) {
                each.accept(packed.fixed32Float());
            }
        } else {
            expect(FIXED32);
            each.accept(fixed32Float());
        }
    }

    /** Fails unless the current field has the wire type its declared type needs. */
    void expect(int expected) {
        if (wireType != expected) {
            throw malformed(pos, "wire type " + wireType + " where " + expected + " was expected");
        }
    }

    /** Skips the current field's value (a field this reader does not need). */
    void skip() {
        switch (wireType) {
            case VARINT -> varint();
            case FIXED64 -> advance(8);
            case LENGTH_DELIMITED -> advance(length());
            case FIXED32 -> advance(4);
            default -> throw malformed(pos, "wire type " + wireType + " (groups are not used by ONNX)");
        }
    }

    private int length() {
        expect(LENGTH_DELIMITED);
        int at = pos;
        long length = varint();
        if (length < 0 || length > end - pos) {
            throw malformed(at, "a field of " + Long.toUnsignedString(length) + " bytes runs past the end of its message");
        }
        return (int) length;
    }

    private void advance(int n) {
        require(n);
        pos += n;
    }

    private void require(int n) {
        if (n > end - pos) {
            throw malformed(pos, "a field runs past the end of its message");
        }
    }

    private UserInputException malformed(int at, String what) {
        return new UserInputException(source + ": not a valid ONNX file: " + what + " at byte " + at);
    }
}
