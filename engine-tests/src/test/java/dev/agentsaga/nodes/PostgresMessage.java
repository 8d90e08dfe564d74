package dev.agentsaga.nodes;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A message of the PostgreSQL wire protocol (v3) after start-up: a type byte, a length that counts itself,
 * the body; with what {@link FaultyPostgresProxy} reads in the bodies of Parse, Bind and Query.
 */
record PostgresMessage(int type, byte[] body) {

    /** What a statement does to the transaction, as far as the proxy cares. */
    enum Effect {
        BEGIN, COMMIT, ROLLBACK, WRITE, OTHER
    }

    /** Writes, once the locking clauses of reads ({@code SELECT ... FOR UPDATE}) are taken out. */
    private static final Pattern WRITE = Pattern.compile("\\b(INSERT|UPDATE|DELETE|MERGE)\\b");

    private static final Pattern LOCKING_CLAUSE = Pattern.compile("\\bFOR\\s+(NO\\s+KEY\\s+)?(UPDATE|SHARE)\\b");

    /** The next message, or null at the end of the stream. */
    static @Nullable PostgresMessage read(DataInputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        byte[] body = new byte[in.readInt() - 4];
        in.readFully(body);
        return new PostgresMessage(type, body);
    }

    void writeTo(OutputStream out) throws IOException {
        writePartTo(out, body.length);
    }

    /** The type, the length of the whole message, and only the first {@code bytes} of the body. */
    void writePartTo(OutputStream out, int bytes) throws IOException {
        int length = body.length + 4;
        out.write(type);
        out.write(new byte[] { (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length });
        out.write(body, 0, bytes);
    }

    /** Parse: the name of the prepared statement ("" the unnamed one). */
    String parsedName() {
        return cstring(ByteBuffer.wrap(body));
    }

    /** Parse: what its SQL does. */
    Effect parsedEffect() {
        ByteBuffer buffer = ByteBuffer.wrap(body);
        cstring(buffer);
        return effectOf(cstring(buffer));
    }

    /** Query: what its SQL does. */
    Effect queryEffect() {
        return effectOf(cstring(ByteBuffer.wrap(body)));
    }

    /** Bind: the name of the prepared statement it binds. */
    String boundName() {
        ByteBuffer buffer = ByteBuffer.wrap(body);
        cstring(buffer);
        return cstring(buffer);
    }

    /** Bind: the parameters sent as text, in order (the binary ones left out). */
    List<String> boundTextParameters() {
        ByteBuffer buffer = ByteBuffer.wrap(body);
        cstring(buffer);
        cstring(buffer);
        short[] formats = new short[buffer.getShort()];
        for (int i = 0; i < formats.length; i++) {
            formats[i] = buffer.getShort();
        }
        int count = Short.toUnsignedInt(buffer.getShort());
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = buffer.getInt();
            if (length < 0) {
                continue;
            }
            byte[] value = new byte[length];
            buffer.get(value);
            short format = formats.length == 0 ? 0 : formats[formats.length == 1 ? 0 : i];
            if (format == 0) {
                texts.add(new String(value, StandardCharsets.UTF_8));
            }
        }
        return texts;
    }

    static Effect effectOf(String query) {
        String sql = query.strip().toUpperCase(Locale.ROOT);
        if (sql.startsWith("COMMIT")) {
            return Effect.COMMIT;
        }
        if (sql.startsWith("BEGIN") || sql.startsWith("START TRANSACTION")) {
            return Effect.BEGIN;
        }
        if (sql.startsWith("ROLLBACK")) {
            return Effect.ROLLBACK;
        }
        return WRITE.matcher(LOCKING_CLAUSE.matcher(sql).replaceAll("")).find() ? Effect.WRITE : Effect.OTHER;
    }

    private static String cstring(ByteBuffer buffer) {
        int start = buffer.position();
        while (buffer.get() != 0) {
            // up to the terminating zero
        }
        return new String(buffer.array(), start, buffer.position() - start - 1, StandardCharsets.UTF_8);
    }
}
