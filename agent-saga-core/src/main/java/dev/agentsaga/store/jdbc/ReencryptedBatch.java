package dev.agentsaga.store.jdbc;

import org.jspecify.annotations.Nullable;

/**
 * What one call of {@link JdbcSagaStore#reencrypt} did.
 *
 * @param sagas the sagas it looked at
 * @param payloads the payloads it re-encrypted under the current key
 * @param next the saga id to continue after, or null when it reached the last saga
 */
public record ReencryptedBatch(int sagas, int payloads, @Nullable String next) {
}
