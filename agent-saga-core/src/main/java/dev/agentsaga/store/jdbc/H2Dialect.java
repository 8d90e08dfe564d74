package dev.agentsaga.store.jdbc;

/**
 * H2 (2.x, in {@code MODE=PostgreSQL}): the statements of {@link SqlDialect} except where H2 differs.
 * H2 has neither {@code UPDATE ... FROM} nor {@code RETURNING}, so a claim is several statements in one
 * transaction (the candidates are locked with {@code FOR UPDATE SKIP LOCKED}, then taken by id and read
 * back); and it has no {@code FOR SHARE}, so the fence of a journal write locks the saga's row
 * {@code FOR UPDATE}, which still makes a claim skip or wait for the write.
 */
public final class H2Dialect extends SqlDialect {

    public H2Dialect(String tablePrefix) {
        super(tablePrefix);
    }

    @Override
    public boolean claimsInOneStatement() {
        return false;
    }

    @Override
    protected String leaseHeld() {
        return "EXISTS (SELECT 1 FROM %s WHERE id = :sagaId AND %s FOR UPDATE)".formatted(instance, FENCE);
    }
}
