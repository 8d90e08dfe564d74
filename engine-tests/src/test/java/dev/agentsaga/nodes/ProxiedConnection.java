package dev.agentsaga.nodes;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.nodes.FaultyPostgresProxy.Fault;
import dev.agentsaga.nodes.PostgresMessage.Effect;

/**
 * One client connection through a {@link FaultyPostgresProxy} and its connection to the server, each
 * direction on a thread of its own. The client's messages are held back up to each Sync (or simple
 * Query), so that the proxy knows whether they commit before the server sees them.
 */
final class ProxiedConnection {

    private static final int SSL_REQUEST = 80877103;

    private static final int GSS_ENCRYPTION_REQUEST = 80877104;

    private final FaultyPostgresProxy proxy;

    private final Socket client;

    private final Socket server;

    private final AtomicBoolean closed = new AtomicBoolean();

    /** The client's prepared statements by name ("" the unnamed one); client thread only. */
    private final Map<String, Effect> statements = new HashMap<>();

    /** The text parameters of the writes of the open transaction; client thread only. */
    private final List<List<String>> writes = new ArrayList<>();

    /**
     * Whether the client has a transaction open; client thread only. Told by what the client sends rather
     * than by the server's ReadyForQuery, because the client does not wait for that: PgJDBC sends its BEGIN
     * as a simple query right ahead of the transaction's first statement.
     */
    private boolean inTransaction;

    private volatile boolean swallowAnswer;

    private volatile long answerDelayMillis;

    ProxiedConnection(FaultyPostgresProxy proxy, Socket client, Socket server) throws IOException {
        this.proxy = proxy;
        this.client = client;
        this.server = server;
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
    }

    void clientToServer() {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(client.getInputStream()));
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(server.getOutputStream()))) {
            forwardStartup(in, out);
            Batch batch = new Batch();
            for (PostgresMessage message = PostgresMessage.read(in); message != null; message = PostgresMessage
                    .read(in)) {
                message.writeTo(batch.bytes);
                batch.note(message);
                if (message.type() == 'S' || message.type() == 'Q') {
                    if (!endBatch(batch, out)) {
                        return;
                    }
                    batch = new Batch();
                }
                else if (!partOfExtendedQuery(message)) {
                    // a Flush, a password, copy data: forwarded at once, the batch goes on to its Sync
                    batch.bytes.writeTo(out);
                    batch.bytes.reset();
                    out.flush();
                }
            }
        }
        catch (IOException ex) {
            // either side closed the connection
        }
        finally {
            close();
        }
    }

    /** The startup packet, after declining encryption: a length and a body, no type. */
    private void forwardStartup(DataInputStream in, DataOutputStream out) throws IOException {
        while (true) {
            int length = in.readInt();
            byte[] body = new byte[length - 4];
            in.readFully(body);
            int code = ByteBuffer.wrap(body).getInt();
            if (code != SSL_REQUEST && code != GSS_ENCRYPTION_REQUEST) {
                out.writeInt(length);
                out.write(body);
                out.flush();
                return;
            }
            client.getOutputStream().write('N');
        }
    }

    /** Forwards a batch, striking at it when it commits; false when the connection was cut. */
    private boolean endBatch(Batch batch, DataOutputStream out) throws IOException {
        if (batch.begins) {
            inTransaction = true;
            writes.clear();
        }
        writes.addAll(batch.writes);
        boolean commits = batch.commits || (!batch.writes.isEmpty() && !inTransaction);
        Fault fault = commits ? proxy.atCommit(writes) : null;
        if (commits || batch.rollsBack) {
            inTransaction = false;
            writes.clear();
        }
        if (fault == Fault.ACK_LOST) {
            swallowAnswer = true;
        }
        else if (fault == Fault.DELAY) {
            answerDelayMillis = proxy.delayMillis();
        }
        batch.bytes.writeTo(out);
        out.flush();
        if (fault == Fault.CUT_AFTER_COMMIT) {
            close();
            return false;
        }
        return true;
    }

    void serverToClient() {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(server.getInputStream()));
                BufferedOutputStream out = new BufferedOutputStream(client.getOutputStream())) {
            for (PostgresMessage message = PostgresMessage.read(in); message != null; message = PostgresMessage
                    .read(in)) {
                if (swallowAnswer) {
                    // up to the ReadyForQuery that ends the answer to the commit; then the connection is cut
                    if (message.type() == 'Z') {
                        return;
                    }
                    continue;
                }
                long delay = answerDelayMillis;
                if (delay > 0) {
                    answerDelayMillis = 0;
                    Thread.sleep(delay);
                }
                Integer cut = message.type() == 'D' ? proxy.rowCut(message.body().length) : null;
                if (cut != null) {
                    message.writePartTo(out, cut);
                    out.flush();
                    return;
                }
                message.writeTo(out);
                if (in.available() == 0) {
                    out.flush();
                }
            }
        }
        catch (IOException ex) {
            // either side closed the connection
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            close();
        }
    }

    /** Closes both connections (the client sees its connection closed); once. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            FaultyPostgresProxy.closeQuietly(client);
            FaultyPostgresProxy.closeQuietly(server);
            proxy.closed(this);
        }
    }

    /** Whether the message is part of an extended query (Parse, Bind, Describe, Execute, Close), answered at the Sync. */
    private static boolean partOfExtendedQuery(PostgresMessage message) {
        return switch (message.type()) {
            case 'P', 'B', 'D', 'E', 'C' -> true;
            default -> false;
        };
    }

    /** The client's messages up to a Sync or a simple Query, and what they do to the transaction. */
    private final class Batch {

        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        final List<List<String>> writes = new ArrayList<>();

        boolean begins;

        boolean commits;

        boolean rollsBack;

        void note(PostgresMessage message) {
            switch (message.type()) {
                case 'P' -> statements.put(message.parsedName(), message.parsedEffect());
                case 'B' -> {
                    Effect effect = statements.getOrDefault(message.boundName(), Effect.OTHER);
                    executes(effect, effect == Effect.WRITE ? message.boundTextParameters() : null);
                }
                case 'Q' -> executes(message.queryEffect(), List.of());
                default -> {
                }
            }
        }

        private void executes(Effect effect, @Nullable List<String> parameters) {
            switch (effect) {
                case BEGIN -> begins = true;
                case COMMIT -> commits = true;
                case ROLLBACK -> rollsBack = true;
                case WRITE -> writes.add(parameters == null ? List.of() : parameters);
                case OTHER -> {
                }
            }
        }
    }
}
