/**
 * The benchmark harness: sequential, throughput, recovery, scale, memory, dashboard and agent runs
 * against PostgreSQL, each beside a baseline measured in the same run.
 */
@NullMarked
package dev.agentsaga.bench;

import org.jspecify.annotations.NullMarked;
