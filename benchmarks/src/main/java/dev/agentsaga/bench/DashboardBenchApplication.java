package dev.agentsaga.bench;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The application the dashboard benchmark serves: the agent-saga starter with the dashboard, no workflow
 * of its own, and a filter that times each request at the server, from its arrival to the last byte of
 * the page, by the name the harness gives it in {@code X-Bench}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class DashboardBenchApplication {

    @Bean
    ServerTimer serverTimer() {
        return new ServerTimer();
    }

    /** Times requests at the server, first of all filters. */
    @Order(Ordered.HIGHEST_PRECEDENCE)
    static final class ServerTimer extends OncePerRequestFilter {

        private final Map<String, List<Long>> nanos = new ConcurrentHashMap<>();

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            long t0 = System.nanoTime();
            chain.doFilter(request, response);
            response.flushBuffer();
            String name = request.getHeader("X-Bench");
            if (name != null) {
                nanos.computeIfAbsent(name, key -> new CopyOnWriteArrayList<>()).add(System.nanoTime() - t0);
            }
        }

        /** The times recorded under the name since the last call, in milliseconds; forgets them. */
        double[] take(String name) {
            List<Long> taken = nanos.remove(name);
            return taken == null ? new double[0] : taken.stream().mapToDouble(n -> n / 1e6).toArray();
        }
    }
}
