package dev.agentsaga.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording of the harness: where the engine's threads (and the caller) spend their
 * samples, by layer (agent-saga, Spring JDBC, PgJDBC, Hikari, Jackson, JDK) and by method, and how many
 * samples were waiting in a socket read for PostgreSQL.
 *
 * <pre>
 * java -XX:StartFlightRecording=filename=seq.jfr,settings=profile -jar benchmarks/target/benchmarks.jar \
 *      --jdbc-url URL --only sequential
 * java -cp benchmarks/target/benchmarks.jar dev.agentsaga.bench.ProfileSummary seq.jfr [thread-prefix]
 * </pre>
 */
public final class ProfileSummary {

    private ProfileSummary() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("Usage: ProfileSummary recording.jfr [thread-name-prefix (default agent-saga-worker-)]");
            System.exit(2);
        }
        String prefix = args.length > 1 ? args[1] : "agent-saga-worker-";
        Map<String, Integer> byLayer = new HashMap<>();
        Map<String, Integer> topFrame = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        int cpu = 0;
        int nativeWait = 0;
        int socket = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
            String type = event.getEventType().getName();
            boolean execution = type.equals("jdk.ExecutionSample");
            boolean nativeSample = type.equals("jdk.NativeMethodSample");
            if (!execution && !nativeSample) {
                continue;
            }
            RecordedThread thread = event.getThread("sampledThread");
            if (thread == null || thread.getJavaName() == null || !thread.getJavaName().startsWith(prefix)) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            List<RecordedFrame> frames = stack.getFrames();
            if (nativeSample) {
                nativeWait++;
                boolean read = frames.stream().limit(12).anyMatch(f -> name(f).contains("NioSocketImpl.read")
                        || name(f).contains("SocketInputStream") || name(f).contains("socketRead"));
                if (read) {
                    socket++;
                    byLayer.merge("waiting for PostgreSQL (socket read)", 1, Integer::sum);
                }
                else {
                    byLayer.merge("native, other: " + name(frames.get(0)), 1, Integer::sum);
                }
                continue;
            }
            cpu++;
            // the layer of the first frame that is not the JDK itself, else the JDK
            String layer = "JDK";
            for (RecordedFrame frame : frames) {
                String l = layer(name(frame));
                if (!l.equals("JDK")) {
                    layer = l;
                    break;
                }
            }
            byLayer.merge("on CPU: " + layer, 1, Integer::sum);
            topFrame.merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame frame : frames) {
                String n = name(frame);
                if (!layer(n).equals("JDK") && seen.add(n)) {
                    inclusive.merge(n, 1, Integer::sum);
                }
            }
        }
        int total = cpu + nativeWait;
        System.out.printf(Locale.ROOT, "Threads '%s*': %d samples, %d on CPU in Java, %d in native code (%d in a socket "
                + "read, waiting for PostgreSQL)%n%n", prefix, total, cpu, nativeWait, socket);
        print("By layer (share of all samples)", byLayer, total, 20);
        print("Hottest frames on CPU (self)", topFrame, cpu, 20);
        print("Inclusive, non-JDK methods on CPU (share of CPU samples)", inclusive, cpu, 35);
    }

    private static void print(String title, Map<String, Integer> counts, int total, int limit) {
        System.out.println(title + ":");
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
                .forEach(e -> System.out.printf(Locale.ROOT, "  %5.1f%%  %6d  %s%n", 100.0 * e.getValue() / total,
                        e.getValue(), e.getKey()));
        System.out.println();
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    static String layer(String method) {
        if (method.startsWith("dev.agentsaga.bench.")) {
            return "benchmark code";
        }
        if (method.startsWith("dev.agentsaga.")) {
            return "agent-saga";
        }
        if (method.startsWith("org.springframework.")) {
            return "Spring JDBC/TX";
        }
        if (method.startsWith("org.postgresql.")) {
            return "PgJDBC";
        }
        if (method.startsWith("com.zaxxer.hikari.")) {
            return "HikariCP";
        }
        if (method.startsWith("tools.jackson.") || method.startsWith("com.fasterxml.jackson.")) {
            return "Jackson";
        }
        if (method.startsWith("ch.qos.logback.") || method.startsWith("org.slf4j.")) {
            return "logging";
        }
        return "JDK";
    }
}
