package dev.agentsaga.store.jdbc;

import java.util.ArrayList;
import java.util.List;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;

/** The page query, the capped count and their parameters for one {@link JdbcSagaStore#list} call. */
record ListStatements(String select, String count, MapSqlParameterSource params, long countLimit) {

    static ListStatements of(SqlDialect sql, SagaQuery query) {
        MapSqlParameterSource params = new MapSqlParameterSource();
        List<String> conditions = new ArrayList<>();
        if (query.workflow() != null) {
            conditions.add("workflow = :workflow");
            params.addValue("workflow", query.workflow());
        }
        // every status is no filter; otherwise one branch per status, in a fixed order
        List<SagaStatus> statuses = query.statuses().size() == SagaStatus.values().length ? List.of()
                : query.statuses().stream().sorted().toList();
        String select;
        if (statuses.isEmpty()) {
            select = sql.selectSummaries(where(conditions));
        }
        else {
            List<String> branches = new ArrayList<>();
            for (int i = 0; i < statuses.size(); i++) {
                List<String> branch = new ArrayList<>(conditions);
                branch.add("status = :status" + i);
                branches.add(String.join(" AND ", branch));
                params.addValue("status" + i, statuses.get(i).name());
            }
            select = sql.selectSummariesByStatus(branches);
            conditions.add("status IN (:statuses)");
            params.addValue("statuses", statuses.stream().map(Enum::name).toList());
        }
        long end = query.offset() + query.size();
        long countLimit = Math.max(JdbcSagaStore.TOTAL_LIMIT, end) + 1;
        params.addValue("limit", query.size()).addValue("offset", query.offset()).addValue("window", end)
                .addValue("countLimit", countLimit);
        return new ListStatements(select, sql.countSummaries(where(conditions)), params, countLimit);
    }

    private static String where(List<String> conditions) {
        return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    }
}
