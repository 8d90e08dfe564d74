package dev.agentsaga.nodes;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * A TCP proxy in front of PostgreSQL that makes commits ambiguous. It reads just enough of the wire
 * protocol (v3) to see where a client commits: a {@code COMMIT}, or a write in auto-commit (an extended
 * query up to its Sync, or a simple query, that writes while no transaction is open). At such a commit it
 * may lose the server's acknowledgement, cut both connections right after forwarding it, or hold the
 * answer back for a while; independently of commits it may cut a connection in the middle of a row of a
 * result. What it did is recorded, by {@link Fault}.
 *
 * <p>It speaks no TLS: a client's SSLRequest or GSSENCRequest is answered "N" (connect with
 * {@code sslmode=disable}). Two daemon threads per connection (see {@link ProxiedConnection}), all stopped
 * by {@link #close()}.
 */
final class FaultyPostgresProxy implements AutoCloseable {

    /** What the proxy does to a commit or to a result. */
    enum Fault {
        /** The commit is forwarded, the server's answer swallowed, then both connections closed. */
        ACK_LOST,
        /** Both connections are closed right after the commit is forwarded: the server may commit or not. */
        CUT_AFTER_COMMIT,
        /** The server's answer to the commit is held back for a while, then forwarded. */
        DELAY,
        /** A row of a result is forwarded only in part, then both connections closed. */
        CUT_MID_RESULT
    }

    /**
     * How often the proxy strikes.
     *
     * @param lostAcknowledgements the share of commits whose acknowledgement never arrives, half of them
     *     {@link Fault#ACK_LOST}, half {@link Fault#CUT_AFTER_COMMIT}
     * @param delays the share of commits answered late ({@link Fault#DELAY}), by a quarter of {@code maxDelay}
     *     up to all of it
     * @param rowCuts the share of result rows a connection is cut in ({@link Fault#CUT_MID_RESULT})
     * @param seed of the draws; the threads' interleaving varies from run to run all the same
     */
    record Settings(double lostAcknowledgements, double delays, double rowCuts, Duration maxDelay, long seed) {
    }

    /**
     * A fault injected, with the text parameters of each write of the transaction it hit (or of the write
     * in auto-commit); none for a result cut.
     */
    record Injected(Fault fault, List<List<String>> writes) {
    }

    private final ServerSocket listener;

    private final String host;

    private final int port;

    private final Settings settings;

    private final Random random;

    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "faulty-postgres-proxy");
        thread.setDaemon(true);
        return thread;
    });

    private final Set<ProxiedConnection> connections = ConcurrentHashMap.newKeySet();

    private final List<Injected> injected = new CopyOnWriteArrayList<>();

    private final AtomicInteger commits = new AtomicInteger();

    private FaultyPostgresProxy(String host, int port, Settings settings) throws IOException {
        this.host = Objects.requireNonNull(host, "host must not be null");
        this.port = port;
        this.settings = Objects.requireNonNull(settings, "settings must not be null");
        this.random = new Random(settings.seed());
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    /** A proxy on an ephemeral port of 127.0.0.1 that forwards to the server at {@code host:port}. */
    static FaultyPostgresProxy start(String host, int port, Settings settings) throws IOException {
        FaultyPostgresProxy proxy = new FaultyPostgresProxy(host, port, settings);
        proxy.threads.execute(proxy::accept);
        return proxy;
    }

    /** The port the proxy listens on. */
    int port() {
        return listener.getLocalPort();
    }

    /** How many commits passed through the proxy, faulted or not. */
    int commits() {
        return commits.get();
    }

    /** The faults injected so far, in order. */
    List<Injected> injected() {
        return List.copyOf(injected);
    }

    /** How many faults of each kind were injected. */
    Map<Fault, Integer> counts() {
        Map<Fault, Integer> counts = new EnumMap<>(Fault.class);
        for (Fault fault : Fault.values()) {
            counts.put(fault, 0);
        }
        injected.forEach(fault -> counts.merge(fault.fault(), 1, Integer::sum));
        return counts;
    }

    /** Stops listening and cuts every connection; returns when the proxy's threads have ended. */
    @Override
    public void close() throws IOException {
        listener.close();
        connections.forEach(ProxiedConnection::close);
        threads.shutdownNow();
        try {
            threads.awaitTermination(2, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            }
            catch (IOException ex) {
                // the listener was closed
                continue;
            }
            try {
                ProxiedConnection connection = new ProxiedConnection(this, client, new Socket(host, port));
                connections.add(connection);
                threads.execute(connection::clientToServer);
                threads.execute(connection::serverToClient);
            }
            catch (IOException | RejectedExecutionException ex) {
                // the server refused, or the proxy is closing: the client sees its connection closed
                closeQuietly(client);
            }
        }
    }

    /** Counts a commit and decides its fault, if any, recorded with the transaction's {@code writes}. */
    synchronized @Nullable Fault atCommit(List<List<String>> writes) {
        commits.incrementAndGet();
        double draw = random.nextDouble();
        double lost = settings.lostAcknowledgements();
        Fault fault = draw < lost / 2 ? Fault.ACK_LOST : draw < lost ? Fault.CUT_AFTER_COMMIT
                : draw < lost + settings.delays() ? Fault.DELAY : null;
        if (fault != null) {
            injected.add(new Injected(fault, List.copyOf(writes)));
        }
        return fault;
    }

    /** How long to hold back an answer. */
    synchronized long delayMillis() {
        long max = settings.maxDelay().toMillis();
        return max / 4 + random.nextLong(max - max / 4 + 1);
    }

    /** Where to cut a row of {@code length} bytes, or null to forward it whole. */
    synchronized @Nullable Integer rowCut(int length) {
        if (random.nextDouble() >= settings.rowCuts()) {
            return null;
        }
        injected.add(new Injected(Fault.CUT_MID_RESULT, List.of()));
        return length == 0 ? 0 : random.nextInt(length);
    }

    void closed(ProxiedConnection connection) {
        connections.remove(connection);
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        }
        catch (IOException ex) {
            // closing anyway
        }
    }
}
