package dev.agentsaga.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.SqlParameter;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;
import org.springframework.jdbc.core.namedparam.ParsedSql;

import dev.agentsaga.spi.Lease;
import dev.agentsaga.spi.StepRecord;

/**
 * A statement of the hot path (append, rewrite, complete) with its named parameters turned into
 * positions once, at start-up, and bound straight from a journal write's values on every call: no
 * parameter map, no parsing or expanding of the SQL per write. Payloads are bound sealed
 * ({@link PayloadColumns}).
 */
final class HotStatement {

    /** The values a hot-path statement can name. */
    private enum Field {
        SAGA_ID, SEQ, NAME, KIND, REVERSIBILITY, STATUS, INPUT, OUTPUT, ERROR, ATTEMPTS, STARTED_AT, FINISHED_AT,
        RESOLUTION, NOTE, FINGERPRINT, INPUT_TOKENS, OUTPUT_TOKENS, OWNER, EPOCH, NOW
    }

    /** The SQL with {@code ?} placeholders. */
    final String sql;

    private final Field[] fields;

    private final SqlDialect dialect;

    private final PayloadColumns payloads;

    private HotStatement(String sql, Field[] fields, SqlDialect dialect, PayloadColumns payloads) {
        this.sql = sql;
        this.fields = fields;
        this.dialect = dialect;
        this.payloads = payloads;
    }

    /**
     * Resolves the named parameters of {@code namedSql}, a statement of {@code dialect}; each must be one a
     * journal write carries.
     */
    static HotStatement of(String namedSql, SqlDialect dialect, PayloadColumns payloads) {
        ParsedSql parsed = NamedParameterUtils.parseSqlStatement(namedSql);
        MapSqlParameterSource none = new MapSqlParameterSource();
        List<SqlParameter> parameters = NamedParameterUtils.buildSqlParameterList(parsed, none);
        Field[] fields = new Field[parameters.size()];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = field(parameters.get(i).getName());
        }
        return new HotStatement(NamedParameterUtils.substituteNamedParameters(parsed, none), fields, dialect,
                payloads);
    }

    private static Field field(@Nullable String name) {
        return switch (String.valueOf(name)) {
            case "id", "sagaId" -> Field.SAGA_ID;
            case "seq" -> Field.SEQ;
            case "name" -> Field.NAME;
            case "kind" -> Field.KIND;
            case "reversibility" -> Field.REVERSIBILITY;
            case "status" -> Field.STATUS;
            case "input" -> Field.INPUT;
            case "output" -> Field.OUTPUT;
            case "error" -> Field.ERROR;
            case "attempts" -> Field.ATTEMPTS;
            case "startedAt" -> Field.STARTED_AT;
            case "finishedAt" -> Field.FINISHED_AT;
            case "resolution" -> Field.RESOLUTION;
            case "note" -> Field.NOTE;
            case "fingerprint" -> Field.FINGERPRINT;
            case "inputTokens" -> Field.INPUT_TOKENS;
            case "outputTokens" -> Field.OUTPUT_TOKENS;
            case "owner" -> Field.OWNER;
            case "epoch" -> Field.EPOCH;
            case "now" -> Field.NOW;
            default -> throw new IllegalArgumentException("A hot-path statement names :" + name
                    + ", which no journal write carries");
        };
    }

    /** Binds a journal entry's values, fenced by {@code lease}. */
    void bind(PreparedStatement statement, Lease lease, StepRecord step) throws SQLException {
        String sagaId = lease.sagaId();
        for (int i = 0; i < fields.length; i++) {
            int p = i + 1;
            if (fence(statement, p, fields[i], lease)) {
                continue;
            }
            switch (fields[i]) {
                case SEQ -> statement.setInt(p, step.seq());
                case NAME -> statement.setString(p, step.name());
                case KIND -> statement.setString(p, step.kind().name());
                case REVERSIBILITY -> text(statement, p, step.reversibility() == null ? null : step.reversibility().name());
                case STATUS -> statement.setString(p, step.status().name());
                case INPUT -> text(statement, p, payloads.seal(sagaId, step.input()));
                case OUTPUT -> text(statement, p, payloads.seal(sagaId, step.output()));
                case ERROR -> text(statement, p, payloads.seal(sagaId, step.error()));
                case ATTEMPTS -> statement.setInt(p, step.attempts());
                case STARTED_AT -> time(statement, p, step.startedAt());
                case FINISHED_AT -> time(statement, p, step.finishedAt());
                case RESOLUTION -> text(statement, p, step.resolution());
                case NOTE -> text(statement, p, payloads.seal(sagaId, step.note()));
                case FINGERPRINT -> text(statement, p, payloads.seal(sagaId, step.fingerprint()));
                case INPUT_TOKENS -> integer(statement, p, step.inputTokens());
                case OUTPUT_TOKENS -> integer(statement, p, step.outputTokens());
                default -> throw new IllegalArgumentException("A journal entry was bound to a statement that "
                        + "names :" + fields[i].name().toLowerCase(Locale.ROOT));
            }
        }
    }

    /** Binds a completion's values, fenced by {@code lease}. */
    void bind(PreparedStatement statement, Lease lease, @Nullable String output, Instant now) throws SQLException {
        for (int i = 0; i < fields.length; i++) {
            int p = i + 1;
            if (fence(statement, p, fields[i], lease)) {
                continue;
            }
            switch (fields[i]) {
                case OUTPUT -> text(statement, p, payloads.seal(lease.sagaId(), output));
                case NOW -> time(statement, p, now);
                default -> throw new IllegalArgumentException("A completion was bound to a statement that names :"
                        + fields[i].name().toLowerCase(Locale.ROOT));
            }
        }
    }

    /** Binds the lease's fields, the fence of every hot-path write; false for any other field. */
    private static boolean fence(PreparedStatement statement, int p, Field field, Lease lease) throws SQLException {
        switch (field) {
            case SAGA_ID -> statement.setString(p, lease.sagaId());
            case OWNER -> statement.setString(p, lease.owner());
            case EPOCH -> statement.setLong(p, lease.epoch());
            default -> {
                return false;
            }
        }
        return true;
    }

    private static void text(PreparedStatement statement, int p, @Nullable String value) throws SQLException {
        if (value == null) {
            statement.setNull(p, Types.VARCHAR);
        }
        else {
            statement.setString(p, value);
        }
    }

    private static void integer(PreparedStatement statement, int p, @Nullable Integer value) throws SQLException {
        if (value == null) {
            statement.setNull(p, Types.INTEGER);
        }
        else {
            statement.setInt(p, value);
        }
    }

    private void time(PreparedStatement statement, int p, @Nullable Instant value) throws SQLException {
        if (value == null) {
            statement.setNull(p, dialect.timestampType());
        }
        else {
            statement.setObject(p, dialect.timestamp(value), dialect.timestampType());
        }
    }
}
