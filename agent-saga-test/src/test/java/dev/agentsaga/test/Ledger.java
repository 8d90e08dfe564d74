package dev.agentsaga.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;

/**
 * The downstream world of the trip: the airline, hotel, bank and mailer the actions call, as one
 * service that dedupes requests by idempotency key, as a payment API does. It receives every request,
 * applies the first one of each key and outlives the engines that crash and restart; kept in a file,
 * it also outlives a JVM that is killed.
 */
final class Ledger {

    /** What a request asks for. */
    enum Op { EXECUTE, COMPENSATE }

    /** One request received. */
    record Request(Op op, String action, String key) {

        String line() {
            return op + " " + action + " " + key;
        }

        static Request parse(String line) {
            String[] parts = line.split(" ", 3);
            return new Request(Op.valueOf(parts[0]), parts[1], parts[2]);
        }
    }

    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private final @Nullable Path file;

    private Ledger(@Nullable Path file) {
        this.file = file;
    }

    /** A ledger in this JVM's memory. */
    static Ledger inMemory() {
        return new Ledger(null);
    }

    /** A ledger kept in {@code file}: it holds the requests the file holds, and appends each new one. */
    static Ledger inFile(Path file) {
        Ledger ledger = new Ledger(file);
        try {
            if (Files.exists(file)) {
                Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(line -> !line.isBlank())
                        .map(Request::parse).forEach(ledger.requests::add);
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return ledger;
    }

    /** Receives a request; written down before the caller sees the answer, as a service commits before it replies. */
    synchronized void receive(Op op, String action, String key) {
        Request request = new Request(op, action, key);
        if (file != null) {
            try {
                Files.writeString(file, request.line() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        requests.add(request);
    }

    /** Every request received, duplicates included, in order. */
    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The keys of the requests of one kind to one action, duplicates included, in order. */
    List<String> keysReceived(Op op, String action) {
        return requests.stream().filter(r -> r.op() == op && r.action().equals(action)).map(Request::key).toList();
    }

    /** How many requests of one kind each key got, duplicates included. */
    Map<String, Long> requestsPerKey(Op op) {
        Map<String, Long> counts = new LinkedHashMap<>();
        requests.stream().filter(r -> r.op() == op).forEach(r -> counts.merge(r.key(), 1L, Long::sum));
        return counts;
    }

    /** The effects applied: the first request of each kind and key, in the order they were applied. */
    List<Request> effects(Op op) {
        Set<String> seen = new HashSet<>();
        return requests.stream().filter(r -> r.op() == op && seen.add(r.key())).toList();
    }
}
