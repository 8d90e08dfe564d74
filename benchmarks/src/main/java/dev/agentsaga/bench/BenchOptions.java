package dev.agentsaga.bench;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Command-line options.
 *
 * @param jdbcUrl the server and database, credentials as parameters; the harness adds {@code currentSchema}
 * @param only the benchmarks to run
 * @param scale the factor applied to every count (sagas, rows); 0.1 for a quick run
 * @param rounds how many times each measurement is repeated (the median is reported)
 * @param seconds the measurement window of each throughput run
 * @param inFlight the concurrency levels of the throughput benchmark
 * @param steps the steps of the sequential and throughput workflows, the tool calls of an agent's run
 * @param keepSchema keep the schema at the end, for a look at the data
 */
record BenchOptions(String jdbcUrl, Set<String> only, double scale, int rounds, double seconds, List<Integer> inFlight,
        int steps, boolean keepSchema) {

    static final List<String> ALL = List.of("sequential", "throughput", "recovery", "scale", "memory", "dashboard",
            "agents", "retention", "queues", "dbos");

    static final String USAGE = """
            Usage: java -jar benchmarks/target/benchmarks.jar --jdbc-url URL [options]

              --jdbc-url URL      PostgreSQL or MariaDB JDBC URL with credentials as parameters, e.g.
                                  'jdbc:postgresql://127.0.0.1:5432/test?user=postgres' or
                                  'jdbc:mariadb://127.0.0.1:3306/test?user=root'
                                  (or set AGENT_SAGA_BENCH_JDBC_URL). The harness creates a schema
                                  (on MariaDB a database) bench_<time> there and drops it at the end;
                                  on MariaDB, scale, dashboard, retention and dbos are skipped.
              --only LIST         comma-separated subset of: sequential,throughput,recovery,scale,memory,dashboard,
                                  agents,retention,queues,dbos
              --scale F           multiply every count by F (default 1; 0.1 for a quick run)
              --rounds N          repeat each measurement N times and report the median (default 2;
                                  the sequential benchmark uses at least 3)
              --seconds S         measurement window of each throughput run (default 3; a
                                  sequential round lasts S+1 seconds, times --scale)
              --in-flight LIST    concurrency levels of the throughput benchmark (default 8,64,512)
              --steps N           steps per workflow, tool calls per agent run (default 5)
              --keep-schema       do not drop the schema at the end
            """;

    int count(int full) {
        return Math.max(1, (int) Math.round(full * scale));
    }

    boolean runs(String bench) {
        return only.contains(bench);
    }

    static BenchOptions parse(String[] args) {
        String url = System.getenv("AGENT_SAGA_BENCH_JDBC_URL");
        Set<String> only = new LinkedHashSet<>(ALL);
        double scale = 1;
        int rounds = 2;
        double seconds = 3;
        List<Integer> inFlight = List.of(8, 64, 512);
        int steps = 5;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--jdbc-url" -> url = value(args, ++i, arg);
                case "--only" -> {
                    only = new LinkedHashSet<>(Arrays.asList(value(args, ++i, arg).split(",")));
                    for (String name : only) {
                        if (!ALL.contains(name)) {
                            throw new IllegalArgumentException("Unknown benchmark '" + name + "'; known: " + ALL);
                        }
                    }
                }
                case "--scale" -> scale = Double.parseDouble(value(args, ++i, arg));
                case "--rounds" -> rounds = Math.max(1, Integer.parseInt(value(args, ++i, arg)));
                case "--seconds" -> seconds = Double.parseDouble(value(args, ++i, arg));
                case "--in-flight" -> inFlight = Arrays.stream(value(args, ++i, arg).split(",")).map(Integer::valueOf)
                        .toList();
                case "--steps" -> steps = Integer.parseInt(value(args, ++i, arg));
                case "--keep-schema" -> keep = true;
                case "--help", "-h" -> throw new IllegalArgumentException("");
                default -> throw new IllegalArgumentException("Unknown option '" + arg + "'");
            }
        }
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("--jdbc-url is required");
        }
        return new BenchOptions(url, only, scale, rounds, seconds, inFlight, steps, keep);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
