package dev.mono4j.io;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A TensorBoard event file of scalars, written without TensorFlow or a protobuf library.
 *
 * <p>The file is a sequence of records, each {@code uint64 length}, {@code uint32 masked CRC32C of the length's 8
 * bytes}, the payload, {@code uint32 masked CRC32C of the payload}, all little-endian
 * (tensorboard/summary/writer/record_writer.py@ff9ca80c12f2468b1b45ea65833be78605704318, {@code RecordWriter.write};
 * the mask is TensorFlow's, tensorflow/python/lib/io/python_io.py). Each payload is one serialised {@code Event}
 * (tensorboard/compat/proto/event.proto@00342393c3241773100aef37251939d901854415): the first carries
 * {@code file_version = "brain.Event:2"}, each later one the scalars of one step as a {@code Summary} of
 * {@code Value}s (tensorboard/compat/proto/summary.proto@00bd827c4d958710a8c67f5e240c24c8cf1498f4).
 *
 * <p>Every event is flushed as it is written, so a live TensorBoard sees each step. A file is only ever created
 * new, never reopened: a resumed run writes a second file beside the first, and TensorBoard reads every
 * {@code *tfevents*} file of a folder in name order (the names start with the creation time).
 */
public final class TensorBoardEvents implements Closeable {
    /** The version string of the first event (event.proto, field {@code file_version}). */
    public static final String FILE_VERSION = "brain.Event:2";
    /** What every event file's name starts with; TensorBoard reads the files whose name holds "tfevents". */
    public static final String FILE_PREFIX = "events.out.tfevents.";

    // Protobuf keys, (field number << 3) | wire type (protobuf encoding: 0 varint, 1 fixed64, 2 length-delimited,
    // 5 fixed32), for the fields of event.proto and summary.proto named above.
    private static final int EVENT_WALL_TIME = 1 << 3 | 1; // double wall_time = 1
    private static final int EVENT_STEP = 2 << 3; // int64 step = 2
    private static final int EVENT_FILE_VERSION = 3 << 3 | 2; // string file_version = 3
    private static final int EVENT_SUMMARY = 5 << 3 | 2; // Summary summary = 5
    private static final int SUMMARY_VALUE = 1 << 3 | 2; // repeated Value value = 1
    private static final int VALUE_TAG = 1 << 3 | 2; // string tag = 1
    private static final int VALUE_SIMPLE_VALUE = 2 << 3 | 5; // float simple_value = 2

    /** The constant TensorFlow adds to a rotated CRC (crc32c::Mask, tensorflow/core/lib/hash/crc32c.h). */
    private static final int MASK_DELTA = 0xa282ead8;

    private final Path file;
    private final OutputStream out;

    private TensorBoardEvents(Path file, OutputStream out) {
        this.file = file;
        this.out = out;
    }

    /**
     * Creates a new event file in {@code dir} (made if missing), named as TensorFlow's writer names them,
     * {@code events.out.tfevents.<unix seconds, 10 digits>.<hostname>} (tensorboard/summary/writer/
     * event_file_writer.py@4f1ce745b17cd56fa135acc50691d92a318e81b2, without its pid and counter), and writes its
     * first event. Should that name exist (a run resumed within the same second), {@code .1}, {@code .2}, ... is
     * appended (our choice): an existing file is never written to.
     */
    public static TensorBoardEvents create(Path dir) {
        try {
            Files.createDirectories(dir);
            long now = System.currentTimeMillis();
            String name = String.format(java.util.Locale.ROOT, "%s%010d.%s", FILE_PREFIX, now / 1000, hostname());
            for (int n = 0; ; n++) {
                Path file = dir.resolve(n == 0 ? name : name + "." + n);
                OutputStream out;
                try {
                    out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    continue;
                }
                TensorBoardEvents events = new TensorBoardEvents(file, out);
                events.write(event(now / 1000.0, 0, EVENT_FILE_VERSION, FILE_VERSION.getBytes(StandardCharsets.UTF_8)));
                return events;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a TensorBoard event file in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The file being written. */
    public Path file() {
        return file;
    }

    /**
     * Writes one event: the scalars of {@code step}, by tag, each as a 32-bit float (summary.proto's
     * {@code simple_value}), and flushes it.
     */
    public void scalars(long step, Map<String, Double> values) {
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        for (Map.Entry<String, Double> v : values.entrySet()) {
            ByteArrayOutputStream value = new ByteArrayOutputStream();
            writeKey(value, VALUE_TAG);
            writeBytes(value, v.getKey().getBytes(StandardCharsets.UTF_8));
            writeKey(value, VALUE_SIMPLE_VALUE);
            writeFixed32(value, Float.floatToIntBits(v.getValue().floatValue()));
            writeKey(summary, SUMMARY_VALUE);
            writeBytes(summary, value.toByteArray());
        }
        try {
            write(event(System.currentTimeMillis() / 1000.0, step, EVENT_SUMMARY, summary.toByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * CRC32C of {@code bytes}, rotated right by 15 bits plus {@value #MASK_DELTA} (mod 2^32), as TensorFlow masks
     * the CRCs of its records ("masked_crc = ((crc >> 15) | (crc << 17)) + 0xa282ead8", python_io.py).
     */
    public static int maskedCrc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    /** An Event with {@code wall_time}, {@code step} (omitted when 0, as proto3 omits defaults) and one payload field. */
    private static byte[] event(double wallTime, long step, int key, byte[] payload) {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        writeKey(e, EVENT_WALL_TIME);
        writeFixed64(e, Double.doubleToLongBits(wallTime));
        if (step != 0) {
            writeKey(e, EVENT_STEP);
            writeVarint(e, step);
        }
        writeKey(e, key);
        writeBytes(e, payload);
        return e.toByteArray();
    }

    /** One record: length, its masked CRC, the payload, its masked CRC (record_writer.py), then a flush. */
    private void write(byte[] payload) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        writeFixed64(header, payload.length);
        byte[] length = header.toByteArray();
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(length);
        writeFixed32(record, maskedCrc32c(length));
        record.write(payload);
        writeFixed32(record, maskedCrc32c(payload));
        out.write(record.toByteArray());
        out.flush();
    }

    private static void writeKey(ByteArrayOutputStream out, int key) {
        writeVarint(out, key);
    }

    /** Base-128 varint, low 7 bits first, high bit set on every byte but the last (protobuf encoding). */
    private static void writeVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    /** A length-delimited field's value: its length as a varint, then the bytes. */
    private static void writeBytes(ByteArrayOutputStream out, byte[] bytes) {
        writeVarint(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void writeFixed32(ByteArrayOutputStream out, int v) {
        for (int i = 0; i < 4; i++) {
            out.write(v >>> (8 * i));
        }
    }

    private static void writeFixed64(ByteArrayOutputStream out, long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
    }

    /** This machine's name for the file name; "localhost" when it cannot be found (our choice). */
    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
        } catch (IOException e) {
            return "localhost";
        }
    }
}
