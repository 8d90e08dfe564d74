/**
 * The benchmark harness: sequential, throughput, recovery, scale and memory runs against
 * PostgreSQL, each beside a plain-JDBC baseline.
 */
@NullMarked
package dev.agentsaga.bench;

import org.jspecify.annotations.NullMarked;
