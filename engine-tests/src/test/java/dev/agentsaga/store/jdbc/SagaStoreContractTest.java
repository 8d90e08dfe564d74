package dev.agentsaga.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.Page;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaExport;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaStoreException;
import dev.agentsaga.SagaSummary;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.ArchiveFailedException;
import dev.agentsaga.spi.ClaimedSaga;
import dev.agentsaga.spi.CompensationResult;
import dev.agentsaga.spi.CompensationStart;
import dev.agentsaga.spi.InstanceRecord;
import dev.agentsaga.spi.ScheduleRecord;
import dev.agentsaga.spi.JournalWrite;
import dev.agentsaga.spi.JournalWrite.AppendStep;
import dev.agentsaga.spi.JournalWrite.CompleteSaga;
import dev.agentsaga.spi.JournalWrite.UpdateStep;
import dev.agentsaga.spi.Lease;
import dev.agentsaga.spi.NewSaga;
import dev.agentsaga.spi.NodeRecord;
import dev.agentsaga.spi.RateReservation;
import dev.agentsaga.spi.RetentionBatch;
import dev.agentsaga.spi.SagaStore;
import dev.agentsaga.spi.SignalRecord;
import dev.agentsaga.spi.StepRecord;
import dev.agentsaga.spi.WorkflowKey;

/**
 * What every {@link SagaStore} must do, written once; a subclass per supported database supplies a
 * store on an empty schema.
 */
abstract class SagaStoreContractTest {

    static final WorkflowKey TRIP = new WorkflowKey("trip", "1");

    // microseconds: what the databases keep of a timestamp
    final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    /** A store on a schema of its own, empty of sagas from other tests of the class (use unique ids). */
    abstract SagaStore store();

    /** The data source of {@link #store()}, whose tables have the prefix {@code ops_saga_}: for bulk loads. */
    abstract DataSource dataSource();

    /**
     * A pool of four connections to {@code jdbcUrl} with the driver setting {@code setting} added to its parameters:
     * the contract through a setting that changes how the driver answers (a variant per setting).
     */
    static HikariDataSource poolWith(String jdbcUrl, String setting, String poolName) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + setting);
        config.setMaximumPoolSize(4);
        config.setPoolName(poolName);
        return new HikariDataSource(config);
    }

    /** The value a timestamp column takes for {@code instant}, for bulk loads: the dialect's. */
    Object timestamp(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    String newSaga(String owner) {
        return newSaga(UUID.randomUUID().toString(), owner, "trip");
    }

    String newSaga(String id, String owner, String workflow) {
        assertThat(store().createInstance(new NewSaga(id, workflow, "1", "{\"to\":\"Lisbon\"}", owner, now,
                now.plusSeconds(30)))).isTrue();
        return id;
    }

    @Test
    void aScheduleIsRecordedOnceAndMovesOnOnlyFromTheTickRead() throws Exception {
        String name = "schedule-" + UUID.randomUUID();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Future<ScheduleRecord>> recorded = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int i = 0; i < 8; i++) {
            Instant initial = now.plusMillis(i);
            recorded.add(threads.submit(() -> {
                go.await();
                return store().schedule(name, initial);
            }));
        }
        go.countDown();
        Set<Instant> firsts = new java.util.HashSet<>();
        for (Future<ScheduleRecord> record : recorded) {
            firsts.add(record.get().lastTick());
        }
        threads.shutdown();
        Instant first = store().schedule(name, now.plusSeconds(99)).lastTick();

        boolean moved = store().advanceSchedule(name, first, now.plusSeconds(60), "node-a", now.plusSeconds(61));
        boolean stale = store().advanceSchedule(name, first, now.plusSeconds(120), "node-b", now.plusSeconds(121));

        assertThat(firsts).as("every recorder sees the one row").containsExactly(first);
        assertThat(moved).isTrue();
        assertThat(stale).as("a compare-and-set from a tick no longer there").isFalse();
        assertThat(store().schedules()).filteredOn(row -> row.name().equals(name)).singleElement()
                .isEqualTo(new ScheduleRecord(name, now.plusSeconds(60), "node-a", now.plusSeconds(61)));
    }

    /** A journaled call that succeeded. */
    StepRecord callStep(String sagaId, int seq) {
        return StepRecord.of(sagaId, seq, "call-" + seq, StepKind.CALL, null, StepStatus.SUCCEEDED, null,
                "\"" + seq + "\"", null, 1, now, now);
    }

    @Test
    void createInstanceRefusesAnExistingIdAndChangesNothing() {
        String id = newSaga("node-a");

        boolean created = store().createInstance(new NewSaga(id, "other", "9", "{}", "node-b", now, now));

        assertThat(created).isFalse();
        InstanceRecord saga = store().findInstance(id).orElseThrow();
        assertThat(saga.workflow()).isEqualTo("trip");
        assertThat(saga.owner()).isEqualTo("node-a");
        assertThat(saga.status()).isEqualTo(SagaStatus.RUNNING);
        assertThat(saga.input()).isEqualTo("{\"to\":\"Lisbon\"}");
        assertThat(saga.createdAt()).isEqualTo(now);
    }

    @Test
    void aSagaWithoutOwnerIsPending() {
        String id = newSaga(null);

        assertThat(store().findInstance(id).orElseThrow().status()).isEqualTo(SagaStatus.PENDING);
    }

    @Test
    void journalRoundTripsEveryColumnInSequenceOrder() {
        String id = newSaga("node-a");
        StepRecord second = StepRecord.of(id, 2, "bookHotel", StepKind.ACTION, Reversibility.IRREVERSIBLE,
                StepStatus.STARTED, "{\"n\":2}", null, null, 1, now, null);
        StepRecord first = StepRecord.of(id, 1, "bookFlight", StepKind.ACTION, Reversibility.COMPENSABLE,
                StepStatus.SUCCEEDED, "{\"n\":1}", "\"F-1\"", null, 3, now, now.plusMillis(5));

        store().write(new AppendStep(lease(id), second));
        store().write(new AppendStep(lease(id), first));
        store().write(new UpdateStep(lease(id), second.finished(StepStatus.FAILED, null, "{\"type\":\"X\"}", 1, now.plusMillis(9))
                .resolved("COMPENSATE", "checked with the hotel")));

        List<StepRecord> journal = store().loadJournal(id);
        assertThat(journal).extracting(StepRecord::seq).containsExactly(1, 2);
        assertThat(journal.get(0)).isEqualTo(first);
        assertThat(journal.get(1).status()).isEqualTo(StepStatus.FAILED);
        assertThat(journal.get(1).error()).isEqualTo("{\"type\":\"X\"}");
        assertThat(journal.get(1).finishedAt()).isEqualTo(now.plusMillis(9));
        assertThat(journal.get(1).resolution()).isEqualTo("COMPENSATE");
        assertThat(journal.get(1).note()).isEqualTo("checked with the hotel");
    }

    @Test
    void aSecondWriteOfTheSameSequenceFails() {
        String id = newSaga("node-a");
        StepRecord step = StepRecord.of(id, 1, "a", StepKind.CALL, null, StepStatus.SUCCEEDED, null, "1", null, 1,
                now, now);
        store().write(new AppendStep(lease(id), step));

        assertThatThrownBy(() -> store().write(new AppendStep(lease(id), step))).isInstanceOf(SagaStoreException.class);
        assertThat(store().loadJournal(id)).hasSize(1);
    }

    @Test
    void writesOfAnEngineThatLostItsLeaseAreRefusedAndLeaveNoTrace() {
        String id = newSaga("node-a");
        Lease old = lease(id);
        store().renewLeases("node-a", List.of(id), now.minusSeconds(1));
        store().claim("node-b", List.of(TRIP), 1000, false, now, now.plusSeconds(30));
        StepRecord step = StepRecord.of(id, 1, "bookFlight", StepKind.ACTION, Reversibility.COMPENSABLE,
                StepStatus.SUCCEEDED, "1", "2", null, 1, now, now);

        boolean appended = store().write(new AppendStep(old, step));
        boolean completed = store().write(new CompleteSaga(old, "\"done\"", now));
        boolean parked = store().park(new AppendStep(old, step), now.plusSeconds(5), now, null);
        boolean started = store().startCompensation(old, new CompensationStart(id, "x", null, Map.of(), 1, false,
                now));
        boolean released = store().release(old, now);

        assertThat(List.of(appended, completed, parked, started, released)).containsOnly(false);
        assertThat(store().loadJournal(id)).isEmpty();
        InstanceRecord saga = store().findInstance(id).orElseThrow();
        assertThat(saga.owner()).isEqualTo("node-b");
        assertThat(saga.status()).isEqualTo(SagaStatus.RUNNING);
        assertThat(store().write(new AppendStep(lease(id), step))).isTrue();
    }

    @Test
    void aWriteWithAnOldEpochOfTheSameOwnerIsRefused() {
        String id = newSaga("node-a");
        Lease first = lease(id);
        store().claim("node-a", List.of(TRIP), 1000, true, now, now.plusSeconds(30));

        boolean appended = store().write(new AppendStep(first, StepRecord.of(id, 1, "a", StepKind.CALL, null,
                StepStatus.SUCCEEDED, null, "1", null, 1, now, now)));

        assertThat(appended).isFalse();
        assertThat(lease(id).epoch()).isEqualTo(first.epoch() + 1);
    }

    @Test
    void transitionMovesOnlyFromTheExpectedStatusesAndReleases() {
        String id = newSaga("node-a");

        boolean wrong = store().transition(id, EnumSet.of(SagaStatus.NEEDS_ATTENTION), SagaStatus.RUNNING, null, now);
        boolean right = store().transition(id, EnumSet.of(SagaStatus.RUNNING), SagaStatus.COMPENSATING, "why", now);

        assertThat(wrong).isFalse();
        assertThat(right).isTrue();
        InstanceRecord saga = store().findInstance(id).orElseThrow();
        assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATING);
        assertThat(saga.error()).isEqualTo("why");
        assertThat(saga.owner()).isNull();
    }

    @Test
    void compensationIsRecordedStepByStepAndEndsTheSaga() {
        String id = newSaga("node-a");
        for (int seq = 1; seq <= 3; seq++) {
            store().write(new AppendStep(lease(id), StepRecord.of(id, seq, "s" + seq, StepKind.ACTION,
                    seq == 2 ? Reversibility.READ_ONLY : Reversibility.COMPENSABLE, StepStatus.SUCCEEDED, "1", "2",
                    null, 1, now, now)));
        }

        store().startCompensation(lease(id), new CompensationStart(id, "step 4 failed", 4, Map.of(2, "nothing to undo"), 3, false,
                now));
        assertThat(statuses(id)).containsExactly(StepStatus.SUCCEEDED, StepStatus.SUCCEEDED, StepStatus.COMPENSATING);
        store().recordCompensation(lease(id), new CompensationResult(id, 3, StepStatus.COMPENSATED, 2, null, 1, now));
        assertThat(statuses(id)).containsExactly(StepStatus.COMPENSATING, StepStatus.SUCCEEDED, StepStatus.COMPENSATED);
        store().recordCompensation(lease(id), new CompensationResult(id, 1, StepStatus.COMPENSATED, 1, null, null, now));

        InstanceRecord saga = store().findInstance(id).orElseThrow();
        assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(saga.error()).isEqualTo("step 4 failed");
        assertThat(saga.errorStep()).isEqualTo(4);
        List<StepRecord> journal = store().loadJournal(id);
        assertThat(journal.get(1).note()).isEqualTo("nothing to undo");
        assertThat(journal.get(2).compensationAttempts()).isEqualTo(2);
        assertThat(journal.get(2).compensatedAt()).isEqualTo(now);
    }

    @Test
    void aFailedCompensationFailsTheSagaWithTheReason() {
        String id = newSaga("node-a");
        store().write(new AppendStep(lease(id), StepRecord.of(id, 1, "s1", StepKind.ACTION, Reversibility.COMPENSABLE,
                StepStatus.SUCCEEDED, "1", "2", null, 1, now, now)));
        store().startCompensation(lease(id), new CompensationStart(id, "boom", null, Map.of(), 1, false, now));

        store().recordCompensation(lease(id), new CompensationResult(id, 1, StepStatus.COMPENSATION_FAILED, 3, "refund refused",
                null, now));

        InstanceRecord saga = store().findInstance(id).orElseThrow();
        assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATION_FAILED);
        assertThat(saga.error()).contains("step 1").contains("refund refused");
        assertThat(store().loadJournal(id).get(0).compensationError()).isEqualTo("refund refused");
    }

    @Test
    void nothingToCompensateEndsTheSagaFailed() {
        String id = newSaga("node-a");

        store().startCompensation(lease(id), new CompensationStart(id, "boom", 1, Map.of(), null, false, now));

        assertThat(store().findInstance(id).orElseThrow().status()).isEqualTo(SagaStatus.FAILED);
    }

    @Test
    void claimTakesRunnableSagasOnlyAndBumpsTheEpoch() {
        String pending = newSaga(null);
        String leased = newSaga("node-a");
        String expired = newSaga("node-b");
        store().renewLeases("node-b", List.of(expired), now.minusSeconds(1));
        String due = newSaga("node-a");
        park(due, now.minusSeconds(1));
        String notDue = newSaga("node-a");
        park(notDue, now.plusSeconds(60));
        String otherVersion = UUID.randomUUID().toString();
        store().createInstance(new NewSaga(otherVersion, "trip", "2", "{}", null, now, now));

        List<String> ours = List.of(pending, leased, expired, due, notDue, otherVersion);
        List<ClaimedSaga> claims = store().claim("node-c", List.of(TRIP), 1000, false, now, now.plusSeconds(30))
                .stream().filter(claim -> ours.contains(claim.saga().id())).toList();
        List<InstanceRecord> claimed = claims.stream().map(ClaimedSaga::saga).toList();

        assertThat(claimed).extracting(InstanceRecord::id).contains(pending, expired, due)
                .doesNotContain(leased, notDue, otherVersion);
        assertThat(claimed).allSatisfy(saga -> {
            assertThat(saga.owner()).isEqualTo("node-c");
            assertThat(saga.status()).isEqualTo(SagaStatus.RUNNING);
        });
        assertThat(claimed.stream().filter(s -> s.id().equals(expired)).findFirst().orElseThrow().leaseEpoch())
                .isEqualTo(2);
        assertThat(claims).filteredOn(ClaimedSaga::recovered).extracting(claim -> claim.saga().id())
                .containsExactly(expired);
    }

    @Test
    void aClaimNamesTheOwnerWhoseLeaseExpiredAndARecoveryIsRecordedUnderTheLeaseUntilAnOperatorMovesTheSaga() {
        String expired = newSaga("node-b");
        store().renewLeases("node-b", List.of(expired), now.minusSeconds(1));
        String released = newSaga("node-b");
        store().release(new Lease(released, "node-b", 1), now);

        Map<String, ClaimedSaga> claims = store().claim("node-c", List.of(TRIP), 1000, false, now,
                now.plusSeconds(30)).stream().collect(Collectors.toMap(claim -> claim.saga().id(), claim -> claim));
        Lease lease = new Lease(expired, "node-c", 2);
        boolean stale = store().recordRecovery(new Lease(expired, "node-b", 1), "node-x", 9);
        boolean recorded = store().recordRecovery(lease, "node-a\nnode-b", 7);
        InstanceRecord afterRecovery = store().findInstance(expired).orElseThrow();
        store().rest(lease, SagaStatus.NEEDS_ATTENTION, "parked", null, now);
        store().transition(expired, EnumSet.of(SagaStatus.NEEDS_ATTENTION), SagaStatus.RUNNING, null, now);
        InstanceRecord afterRetry = store().findInstance(expired).orElseThrow();

        assertThat(claims.get(expired).recovered()).isTrue();
        assertThat(claims.get(expired).takenFrom()).isEqualTo("node-b");
        assertThat(claims.get(released).recovered()).isTrue();
        assertThat(claims.get(released).takenFrom()).as("a released saga was not taken from anyone").isNull();
        assertThat(stale).as("a recovery is recorded under the lease only").isFalse();
        assertThat(recorded).isTrue();
        assertThat(afterRecovery.recoveredFrom()).isEqualTo("node-a\nnode-b");
        assertThat(afterRecovery.recoveryMark()).isEqualTo(7L);
        assertThat(afterRetry.recoveredFrom()).isNull();
        assertThat(afterRetry.recoveryMark()).isNull();
    }

    @Test
    void claimWithIncludeOwnTakesBackTheOwnersLeasedSagas() {
        String mine = newSaga("node-own");

        List<ClaimedSaga> withoutOwn = store().claim("node-own", List.of(TRIP), 100, false, now, now.plusSeconds(5));
        List<ClaimedSaga> withOwn = store().claim("node-own", List.of(TRIP), 100, true, now, now.plusSeconds(5));

        assertThat(withoutOwn).extracting(claim -> claim.saga().id()).doesNotContain(mine);
        assertThat(withOwn).extracting(claim -> claim.saga().id()).contains(mine);
    }

    @Test
    void concurrentClaimsNeverShareASaga() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ids.add(newSaga(null));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<ClaimedSaga>>> claims = new ArrayList<>();
        for (int node = 0; node < 4; node++) {
            String owner = "racer-" + node;
            claims.add(pool.submit(() -> {
                go.await();
                List<ClaimedSaga> mine = new ArrayList<>();
                for (int round = 0; round < 10; round++) {
                    mine.addAll(store().claim(owner, List.of(TRIP), 3, false, now, now.plusSeconds(60)));
                }
                return mine;
            }));
        }
        go.countDown();
        List<String> claimed = new ArrayList<>();
        for (Future<List<ClaimedSaga>> claim : claims) {
            claim.get().forEach(won -> claimed.add(won.saga().id()));
        }
        pool.shutdown();

        List<String> ours = claimed.stream().filter(ids::contains).toList();
        assertThat(ours).doesNotHaveDuplicates();
        assertThat(Set.copyOf(ours)).hasSize(40);
    }

    @Test
    void renewLeasesExtendsOnlyTheOwnersNamedSagas() {
        String mine = newSaga("node-r");
        String other = newSaga("node-s");

        int renewed = store().renewLeases("node-r", List.of(mine, other), now.plusSeconds(600));

        assertThat(renewed).isEqualTo(1);
        assertThat(store().findInstance(mine).orElseThrow().leaseExpiresAt()).isEqualTo(now.plusSeconds(600));
        assertThat(store().findInstance(other).orElseThrow().leaseExpiresAt()).isEqualTo(now.plusSeconds(30));
    }

    @Test
    void aSignalWakesAWaitingSagaAndIsConsumedOnce() {
        String id = newSaga("node-a");
        park(id, now.plusSeconds(3600));

        store().deliverSignal(new SignalRecord("sig-1-" + id, id, "approval", "\"yes\"", now), now);
        store().deliverSignal(new SignalRecord("sig-2-" + id, id, "approval", "\"again\"", now.plusMillis(1)), now);

        assertThat(store().findInstance(id).orElseThrow().wakeAt()).isEqualTo(now);
        store().claim("node-w", List.of(TRIP), 1000, false, now, now.plusSeconds(30));
        assertThat(store().findInstance(id).orElseThrow().owner()).isEqualTo("node-w");
        SignalRecord oldest = store().findSignal(id, "approval").orElseThrow();
        assertThat(oldest.payload()).isEqualTo("\"yes\"");
        StepRecord received = store().loadJournal(id).get(0).finished(StepStatus.SUCCEEDED, "\"yes\"", null, 1, now);
        store().consumeSignal(oldest.id(), new UpdateStep(lease(id), received));
        assertThat(store().findSignal(id, "approval").orElseThrow().payload()).isEqualTo("\"again\"");
        assertThatThrownBy(() -> store().consumeSignal(oldest.id(), new UpdateStep(lease(id), received)))
                .isInstanceOf(SagaStoreException.class);
        assertThat(store().loadJournal(id).get(0).output()).isEqualTo("\"yes\"");
    }

    @Test
    void parkingOnASignalThatAlreadyArrivedMakesTheSagaRunnableAtOnce() {
        String id = newSaga("node-a");
        store().deliverSignal(new SignalRecord("early-" + id, id, "go", "1", now), now);

        store().park(new AppendStep(lease(id), StepRecord.of(id, 1, "go", StepKind.SIGNAL, null, StepStatus.STARTED, "\"deadline\"", null, null,
                1, now, null)), now.plusSeconds(3600), now, "go");

        InstanceRecord saga = store().findInstance(id).orElseThrow();
        assertThat(saga.status()).isEqualTo(SagaStatus.WAITING);
        assertThat(saga.wakeAt()).isEqualTo(now);
    }

    @Test
    void listFiltersAndPagesNewestFirst() {
        String workflow = "list-" + UUID.randomUUID();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = workflow + "-" + i;
            store().createInstance(new NewSaga(id, workflow, "1", "{}", "n", now.plusSeconds(i), now));
            ids.add(id);
        }
        store().rest(lease(ids.get(4)), SagaStatus.NEEDS_ATTENTION, "look", 1, now);

        Page<SagaSummary> first = store().list(SagaQuery.all().withWorkflow(workflow).withPage(0, 2));
        Page<SagaSummary> last = store().list(SagaQuery.all().withWorkflow(workflow).withPage(2, 2));
        Page<SagaSummary> attention = store().list(SagaQuery.all().withWorkflow(workflow)
                .withStatuses(SagaStatus.NEEDS_ATTENTION));

        assertThat(first.total()).isEqualTo(5);
        assertThat(first.items()).extracting(SagaSummary::id).containsExactly(ids.get(4), ids.get(3));
        assertThat(first.hasNext()).isTrue();
        assertThat(last.items()).extracting(SagaSummary::id).containsExactly(ids.get(0));
        assertThat(last.hasNext()).isFalse();
        assertThat(attention.items()).extracting(SagaSummary::id).containsExactly(ids.get(4));
        assertThat(attention.items().get(0).error()).isEqualTo("look");
    }

    @Test
    void listMergesSeveralStatusesNewestFirstAcrossPages() {
        String workflow = "merge-" + UUID.randomUUID();
        // newest first, statuses interleaved; 5b and 5a were created at the same instant (the id breaks the tie)
        List<String> newestFirst = List.of(workflow + "-6", workflow + "-5b", workflow + "-5a", workflow + "-4",
                workflow + "-3", workflow + "-2", workflow + "-1");
        List<SagaStatus> statuses = List.of(SagaStatus.FAILED, SagaStatus.COMPLETED, SagaStatus.FAILED,
                SagaStatus.FAILED, SagaStatus.NEEDS_ATTENTION, SagaStatus.COMPLETED, SagaStatus.FAILED);
        List<Instant> created = List.of(now.plusSeconds(6), now.plusSeconds(5), now.plusSeconds(5),
                now.plusSeconds(4), now.plusSeconds(3), now.plusSeconds(2), now.plusSeconds(1));
        insertFinished(workflow, newestFirst, statuses, created);
        SagaQuery failedOrCompleted = SagaQuery.all().withWorkflow(workflow)
                .withStatuses(SagaStatus.FAILED, SagaStatus.COMPLETED);

        Page<SagaSummary> first = store().list(failedOrCompleted.withPage(0, 2));
        Page<SagaSummary> second = store().list(failedOrCompleted.withPage(1, 2));
        Page<SagaSummary> third = store().list(failedOrCompleted.withPage(2, 2));
        Page<SagaSummary> beyond = store().list(failedOrCompleted.withPage(5, 2));
        Page<SagaSummary> everyStatus = store().list(SagaQuery.all().withWorkflow(workflow)
                .withStatuses(SagaStatus.values()).withPage(0, 10));

        assertThat(first.items()).extracting(SagaSummary::id).containsExactly(workflow + "-6", workflow + "-5b");
        assertThat(second.items()).extracting(SagaSummary::id).containsExactly(workflow + "-5a", workflow + "-4");
        assertThat(third.items()).extracting(SagaSummary::id).containsExactly(workflow + "-2", workflow + "-1");
        assertThat(beyond.items()).isEmpty();
        assertThat(List.of(first, second, third, beyond)).allSatisfy(page -> {
            assertThat(page.total()).isEqualTo(6);
            assertThat(page.totalExact()).isTrue();
        });
        assertThat(first.hasNext()).isTrue();
        assertThat(third.hasNext()).isFalse();
        assertThat(everyStatus.items()).extracting(SagaSummary::id).containsExactlyElementsOf(newestFirst);
        assertThat(everyStatus.total()).isEqualTo(7);
    }

    @Test
    void listCountsTheTotalUpToTheLimitAndBeyondItReportsALowerBound() {
        String workflow = "many-" + UUID.randomUUID();
        int limit = JdbcSagaStore.TOTAL_LIMIT;
        insertCompleted(workflow, 0, limit);
        SagaQuery all = SagaQuery.all().withWorkflow(workflow);
        SagaQuery completed = all.withStatuses(SagaStatus.COMPLETED);
        SagaQuery completedOrFailed = all.withStatuses(SagaStatus.COMPLETED, SagaStatus.FAILED);

        List<Page<SagaSummary>> atTheLimit = List.of(store().list(all), store().list(completed),
                store().list(completedOrFailed));
        insertCompleted(workflow, limit, 1);
        List<Page<SagaSummary>> pastTheLimit = List.of(store().list(all), store().list(completed),
                store().list(completedOrFailed));

        assertThat(atTheLimit).allSatisfy(page -> {
            assertThat(page.items()).hasSize(20);
            assertThat(page.total()).isEqualTo(limit);
            assertThat(page.totalExact()).isTrue();
        });
        assertThat(pastTheLimit).allSatisfy(page -> {
            assertThat(page.items()).hasSize(20);
            assertThat(page.items().get(0).id()).isEqualTo(workflow + "-" + limit);
            assertThat(page.total()).isEqualTo(limit);
            assertThat(page.totalExact()).isFalse();
            assertThat(page.hasNext()).isTrue();
        });
    }

    @Test
    void aPageBeyondTheLimitCountsPastItsEnd() {
        String workflow = "deep-" + UUID.randomUUID();
        int limit = JdbcSagaStore.TOTAL_LIMIT;
        insertCompleted(workflow, 0, limit + 30);
        SagaQuery completed = SagaQuery.all().withWorkflow(workflow).withStatuses(SagaStatus.COMPLETED);

        // newest first the sagas are limit+29 down to 0, so page 500 of 20 ends 10 before the oldest
        Page<SagaSummary> fullPastTheLimit = store().list(completed.withPage(500, 20));
        Page<SagaSummary> last = store().list(completed.withPage(501, 20));
        Page<SagaSummary> beyondTheEnd = store().list(completed.withPage(600, 20));

        assertThat(fullPastTheLimit.items()).extracting(SagaSummary::id).hasSize(20)
                .startsWith(workflow + "-29").endsWith(workflow + "-10");
        assertThat(fullPastTheLimit.total()).isEqualTo(limit + 20);
        assertThat(fullPastTheLimit.totalExact()).isFalse();
        assertThat(fullPastTheLimit.hasNext()).isTrue();
        assertThat(last.items()).extracting(SagaSummary::id).hasSize(10).endsWith(workflow + "-0");
        assertThat(last.total()).isEqualTo(limit + 30);
        assertThat(last.totalExact()).isTrue();
        assertThat(last.hasNext()).isFalse();
        assertThat(beyondTheEnd.items()).isEmpty();
        assertThat(beyondTheEnd.total()).isEqualTo(limit + 30);
        assertThat(beyondTheEnd.totalExact()).isTrue();
    }

    @Test
    void requestCancelMarksOnlyUnfinishedSagas() {
        String running = newSaga("node-a");
        String done = newSaga("node-a");
        store().write(new CompleteSaga(lease(done), "\"ok\"", now));

        assertThat(store().requestCancel(running, now)).isTrue();
        assertThat(store().requestCancel(done, now)).isFalse();
        assertThat(store().findInstance(running).orElseThrow().cancelRequested()).isTrue();
        assertThat(store().findInstance(done).orElseThrow().output()).isEqualTo("\"ok\"");
    }

    @Test
    void eraseOverwritesAFinishedSagasPayloadsAndKeepsEveryOtherColumn() {
        String id = newSaga("node-a");
        StepRecord booked = StepRecord.of(id, 1, "bookFlight", StepKind.ACTION, Reversibility.COMPENSABLE,
                StepStatus.SUCCEEDED, "{\"passenger\":\"Ada\"}", "\"FL-1 for Ada\"", null, 2, now, now.plusMillis(5));
        StepRecord model = StepRecord.of(id, 2, "model", StepKind.LLM, null, StepStatus.SUCCEEDED, null,
                "{\"text\":\"Hello Ada\"}", null, 1, now, now.plusMillis(9)).withCall("{\"messages\":\"5f0c\"}", 120, 30);
        StepRecord failed = StepRecord.of(id, 3, "lookup", StepKind.CALL, null, StepStatus.FAILED, null, null,
                "{\"type\":\"java.lang.IllegalStateException\",\"message\":\"no account for Ada\"}", 1, now, now)
                .resolved("COMPENSATE", "Ada called us");
        List.of(booked, model, failed).forEach(step -> store().write(new AppendStep(lease(id), step)));
        store().deliverSignal(new SignalRecord("erase-" + id, id, "approval", "{\"by\":\"Ada\"}", now), now);
        store().write(new CompleteSaga(lease(id), "\"booked for Ada\"", now));
        List<StepRecord> erased = List.of(
                erasedPayloads(booked, SagaView.ERASED, SagaView.ERASED, null, null, null),
                erasedPayloads(model, null, SagaView.ERASED, null, null, null),
                erasedPayloads(failed, null, null, "{\"type\":\"java.lang.IllegalStateException\",\"message\":"
                        + "\"[erased]\"}", SagaView.ERASED, SagaView.ERASED));

        boolean done = store().erase(id, SagaView.ERASED, erased, now.plusSeconds(1));
        boolean again = store().erase(id, SagaView.ERASED, erased, now.plusSeconds(2));

        assertThat(done).isTrue();
        assertThat(again).isTrue();
        InstanceRecord saga = store().findInstance(id).orElseThrow();
        assertThat(saga.input()).isEqualTo(SagaView.ERASED);
        assertThat(saga.output()).isEqualTo(SagaView.ERASED);
        assertThat(saga.error()).isEqualTo(SagaView.ERASED);
        assertThat(saga.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(saga.updatedAt()).isEqualTo(now);
        assertThat(saga.erasedAt()).isEqualTo(now.plusSeconds(1));
        assertThat(store().loadJournal(id)).containsExactlyElementsOf(erased);
        assertThat(store().findSignal(id, "approval").orElseThrow().payload()).isEqualTo(SagaView.ERASED);
    }

    @Test
    void eraseRefusesASagaThatIsNotFinishedAndWritesNothing() {
        String id = newSaga("node-a");
        StepRecord step = StepRecord.of(id, 1, "bookFlight", StepKind.ACTION, Reversibility.COMPENSABLE,
                StepStatus.SUCCEEDED, "\"Ada\"", "\"FL-1\"", null, 1, now, now);
        store().write(new AppendStep(lease(id), step));
        store().deliverSignal(new SignalRecord("erase-" + id, id, "approval", "\"Ada\"", now), now);

        boolean erased = store().erase(id, SagaView.ERASED,
                List.of(erasedPayloads(step, SagaView.ERASED, SagaView.ERASED, null, null, null)), now);

        assertThat(erased).isFalse();
        assertThat(store().erase("no-such-saga", null, List.of(), now)).isFalse();
        InstanceRecord saga = store().findInstance(id).orElseThrow();
        assertThat(saga.input()).isEqualTo("{\"to\":\"Lisbon\"}");
        assertThat(saga.erasedAt()).isNull();
        assertThat(store().loadJournal(id)).containsExactly(step);
        assertThat(store().findSignal(id, "approval").orElseThrow().payload()).isEqualTo("\"Ada\"");
    }

    @Test
    void aSignalForAFinishedOrAbsentSagaIsNotStored() {
        String id = newSaga("node-a");
        store().write(new CompleteSaga(lease(id), "\"ok\"", now));

        boolean finished = store().deliverSignal(new SignalRecord("late-" + id, id, "approval", "\"yes\"", now), now);
        boolean absent = store().deliverSignal(new SignalRecord("none-" + id, "no-such-saga", "approval", "1", now),
                now);

        assertThat(finished).isFalse();
        assertThat(absent).isFalse();
        assertThat(store().findSignal(id, "approval")).isEmpty();
    }

    /** The step with these payload columns (input, output, error, compensation error, note) and the rest kept. */
    static StepRecord erasedPayloads(StepRecord step, String input, String output, String error,
            String compensationError, String note) {
        return new StepRecord(step.sagaId(), step.seq(), step.name(), step.kind(), step.reversibility(), step.status(),
                input, output, error, step.attempts(), step.startedAt(), step.finishedAt(), step.compensationAttempts(),
                compensationError, step.compensatedAt(), step.resolution(), note, step.fingerprint(), step.inputTokens(),
                step.outputTokens());
    }

    @Test
    void unfinishedSagasAreCountedByVersion() {
        String workflow = "versions-" + UUID.randomUUID();
        store().createInstance(new NewSaga(workflow + "-a", workflow, "1", "{}", null, now, now));
        store().createInstance(new NewSaga(workflow + "-b", workflow, "2", "{}", null, now, now));
        store().createInstance(new NewSaga(workflow + "-c", workflow, "2", "{}", null, now, now));

        List<SagaStore.VersionCount> counts = new ArrayList<>(store().unfinishedByVersion(List.of(workflow)));
        counts.sort((a, b) -> a.version().compareTo(b.version()));

        assertThat(counts).containsExactly(new SagaStore.VersionCount(workflow, "1", 1),
                new SagaStore.VersionCount(workflow, "2", 2));
        assertThat(store().unfinishedByVersion(Collections.emptyList())).isEmpty();
    }

    @Test
    void nodesAreRecordedWithTheirVersionsSeenRemovedAndForgottenWhenLongUnseen() {
        String node = "node-" + UUID.randomUUID();
        String crashed = "crashed-" + UUID.randomUUID();
        List<WorkflowKey> odd = List.of(TRIP, new WorkflowKey("name with = & spaces", "v2 ü"));
        store().registerNode(crashed, List.of(TRIP), now.minusSeconds(1800), now.minusSeconds(9000));
        store().registerNode(node, List.of(TRIP), now.minusSeconds(10), now.minusSeconds(3600));
        store().registerNode(node, odd, now.minusSeconds(5), now.minusSeconds(3600));

        boolean seen = store().nodeSeen(node, now);
        NodeRecord recorded = store().nodes().stream().filter(n -> n.id().equals(node)).findFirst().orElseThrow();
        boolean crashedKept = store().nodes().stream().anyMatch(n -> n.id().equals(crashed));
        store().registerNode("another-" + UUID.randomUUID(), List.of(TRIP), now, now.minusSeconds(600));
        boolean crashedForgotten = store().nodes().stream().noneMatch(n -> n.id().equals(crashed));
        store().removeNode(node);

        assertThat(seen).isTrue();
        assertThat(recorded.workflows()).as("registering again replaces the record").isEqualTo(odd);
        assertThat(recorded.startedAt()).isEqualTo(now.minusSeconds(5));
        assertThat(recorded.seenAt()).isEqualTo(now);
        assertThat(crashedKept).isTrue();
        assertThat(crashedForgotten).as("a node unseen since before the cut-off is forgotten").isTrue();
        assertThat(store().nodes()).extracting(NodeRecord::id).doesNotContain(node);
        assertThat(store().nodeSeen(node, now)).as("a removed node is not seen").isFalse();
    }

    @Test
    void unfinishedSagasOfEveryWorkflowAreCountedByVersion() {
        String workflow = "every-" + UUID.randomUUID();
        store().createInstance(new NewSaga(UUID.randomUUID().toString(), workflow, "1", "{}", null, now, now));
        store().createInstance(new NewSaga(UUID.randomUUID().toString(), workflow, "3", "{}", "node-a", now, now));

        assertThat(store().unfinishedByVersion()).filteredOn(count -> count.workflow().equals(workflow))
                .containsExactlyInAnyOrder(new SagaStore.VersionCount(workflow, "1", 1),
                        new SagaStore.VersionCount(workflow, "3", 1));
    }

    @Test
    void retentionDeletesTheExpiredFinishedSagasOfItsRuleWithTheirStepsAndSignalsAndNothingElse() {
        String workflow = "retained-" + UUID.randomUUID();
        String other = "other-" + UUID.randomUUID();
        Instant old = now.minus(Duration.ofDays(20));
        List<String> expired = List.of(workflow + "-c1", workflow + "-c2", workflow + "-x1", workflow + "-x2",
                workflow + "-f1", workflow + "-f2");
        insertFinished(workflow, expired, List.of(SagaStatus.COMPLETED, SagaStatus.COMPLETED, SagaStatus.COMPENSATED,
                SagaStatus.COMPENSATED, SagaStatus.FAILED, SagaStatus.FAILED), Collections.nCopies(6, old));
        insertFinished(workflow, List.of(workflow + "-recent"), List.of(SagaStatus.COMPLETED), List.of(now));
        insertFinished(workflow, List.of(workflow + "-running", workflow + "-waiting", workflow + "-attention"),
                List.of(SagaStatus.RUNNING, SagaStatus.WAITING, SagaStatus.NEEDS_ATTENTION), Collections.nCopies(3, old));
        insertFinished(other, List.of(other + "-c1"), List.of(SagaStatus.COMPLETED), List.of(old));
        addStepsAndSignal(workflow + "-c1");
        addStepsAndSignal(workflow + "-recent");
        Instant cutoff = now.minus(Duration.ofDays(10));

        RetentionBatch.Deleted first = store().deleteFinished(new RetentionBatch("node-a", workflow, Set.of(), cutoff,
                4, now), null);
        RetentionBatch.Deleted second = store().deleteFinished(new RetentionBatch("node-a", workflow, Set.of(),
                cutoff, 4, now), null);
        RetentionBatch.Deleted third = store().deleteFinished(new RetentionBatch("node-a", workflow, Set.of(),
                cutoff, 4, now), null);
        RetentionBatch.Deleted othersExcluded = store().deleteFinished(new RetentionBatch("node-a", null,
                Set.of(workflow), cutoff, 100, now), null);

        assertThat(first).isEqualTo(new RetentionBatch.Deleted(4, 4 + 3));
        assertThat(second).isEqualTo(new RetentionBatch.Deleted(2, 2));
        assertThat(third).isEqualTo(new RetentionBatch.Deleted(0, 0));
        assertThat(othersExcluded.sagas()).as("the other workflow's expired saga, and only expired ones")
                .isGreaterThanOrEqualTo(1);
        assertThat(expired).allSatisfy(id -> assertThat(store().findInstance(id)).isEmpty());
        assertThat(store().findInstance(other + "-c1")).isEmpty();
        assertThat(List.of(workflow + "-recent", workflow + "-running", workflow + "-waiting", workflow + "-attention"))
                .allSatisfy(id -> assertThat(store().findInstance(id)).isPresent());
        assertThat(store().loadJournal(workflow + "-c1")).isEmpty();
        assertThat(store().loadJournal(workflow + "-recent")).hasSize(2);
        assertThat(new JdbcTemplate(dataSource()).queryForObject(
                "SELECT COUNT(*) FROM ops_saga_signal WHERE saga_id = ?", Integer.class, workflow + "-c1")).isZero();
        assertThat(store().findSignal(workflow + "-recent", "approval")).isPresent();
    }

    @Test
    void retentionHandsABatchToTheArchiverBeforeDeletingItAndKeepsItWhenArchivingFails() {
        String workflow = "archived-" + UUID.randomUUID();
        List<String> ids = List.of(workflow + "-1", workflow + "-2");
        insertFinished(workflow, ids, List.of(SagaStatus.COMPLETED, SagaStatus.COMPENSATED),
                Collections.nCopies(2, now.minus(Duration.ofDays(3))));
        addStepsAndSignal(workflow + "-1");
        RetentionBatch batch = new RetentionBatch("node-a", workflow, Set.of(), now.minus(Duration.ofDays(1)), 10, now);
        List<SagaExport> archived = new ArrayList<>();

        assertThatThrownBy(() -> store().deleteFinished(batch, sagas -> {
            throw new java.io.IOException("disk full");
        })).isInstanceOf(ArchiveFailedException.class).hasMessageContaining("disk full")
                .hasMessageContaining("were not deleted");
        boolean keptAfterFailure = ids.stream().allMatch(id -> store().findInstance(id).isPresent())
                && store().loadJournal(workflow + "-1").size() == 2;
        RetentionBatch.Deleted deleted = store().deleteFinished(batch, archived::addAll);

        assertThat(keptAfterFailure).isTrue();
        assertThat(deleted.sagas()).isEqualTo(2);
        assertThat(archived).extracting(SagaExport::id).containsExactlyInAnyOrderElementsOf(ids);
        SagaExport withSteps = archived.stream().filter(saga -> saga.id().equals(workflow + "-1")).findFirst()
                .orElseThrow();
        assertThat(withSteps.steps()).extracting(StepRecord::seq).containsExactly(1, 2);
        assertThat(SagaExport.fromJson(withSteps.toJsonLine()).steps()).hasSize(2);
        assertThat(ids).allSatisfy(id -> assertThat(store().findInstance(id)).isEmpty());
    }

    @Test
    void oneEngineAtATimeDeletesWhileAnotherHoldsTheRetentionLockItDeletesNothing() throws Exception {
        String workflow = "locked-" + UUID.randomUUID();
        insertFinished(workflow, List.of(workflow + "-1"), List.of(SagaStatus.COMPLETED),
                List.of(now.minus(Duration.ofDays(3))));
        RetentionBatch batch = new RetentionBatch("node-b", workflow, Set.of(), now.minus(Duration.ofDays(1)), 10, now);
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        ExecutorService holder = Executors.newSingleThreadExecutor();
        try {
            Future<?> holding = holder.submit(() -> new TransactionTemplate(new DataSourceTransactionManager(
                    dataSource())).executeWithoutResult(tx -> {
                        new JdbcTemplate(dataSource()).queryForList(
                                "SELECT name FROM ops_saga_lock WHERE name = 'retention' FOR UPDATE");
                        locked.countDown();
                        try {
                            done.await();
                        }
                        catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    }));
            locked.await();
            RetentionBatch.Deleted whileHeld = store().deleteFinished(batch, null);
            done.countDown();
            holding.get();
            RetentionBatch.Deleted after = store().deleteFinished(batch, null);

            assertThat(whileHeld).as("another engine holds the lock").isNull();
            assertThat(after).isEqualTo(new RetentionBatch.Deleted(1, 1));
        }
        finally {
            done.countDown();
            holder.shutdownNow();
        }
    }

    @Test
    void writeAllAppliesAppendsUpdatesAndCompletionsOfSeveralSagas() {
        String first = newSaga("node-a");
        String second = newSaga("node-a");
        String third = newSaga("node-a");
        String intent = newSaga("node-a");
        String finishing = newSaga("node-a");
        store().write(new AppendStep(lease(third), callStep(third, 1)));
        StepRecord started = StepRecord.of(intent, 1, "sendEmail", StepKind.ACTION, Reversibility.IRREVERSIBLE,
                StepStatus.STARTED, "\"to\"", null, null, 1, now, null);
        store().write(new AppendStep(lease(intent), started));
        StepRecord firstStep = StepRecord.of(first, 1, "bookFlight", StepKind.ACTION, Reversibility.COMPENSABLE,
                StepStatus.SUCCEEDED, "{\"n\":1}", "\"F-1\"", null, 2, now, now.plusMillis(3));
        StepRecord secondStep = StepRecord.of(second, 1, "lookup", StepKind.ACTION, Reversibility.READ_ONLY,
                StepStatus.FAILED, "{\"n\":2}", null, "{\"type\":\"X\"}", 3, now, now.plusMillis(4));
        StepRecord sent = started.finished(StepStatus.SUCCEEDED, "\"sent\"", null, 1, now.plusMillis(7));

        boolean[] written = store().writeAll(List.of(
                new AppendStep(lease(first), firstStep),
                new CompleteSaga(lease(finishing), "\"done\"", now.plusMillis(8)),
                new AppendStep(lease(second), secondStep),
                new UpdateStep(lease(intent), sent),
                new AppendStep(lease(third), callStep(third, 2))));

        assertThat(written).containsExactly(true, true, true, true, true);
        assertThat(store().loadJournal(first)).containsExactly(firstStep);
        assertThat(store().loadJournal(second)).containsExactly(secondStep);
        assertThat(store().loadJournal(third)).extracting(StepRecord::seq).containsExactly(1, 2);
        assertThat(store().loadJournal(intent)).containsExactly(sent);
        InstanceRecord finished = store().findInstance(finishing).orElseThrow();
        assertThat(finished.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(finished.output()).isEqualTo("\"done\"");
        assertThat(finished.owner()).as("a completed saga is released").isNull();
        assertThat(store().findInstance(first).orElseThrow().status()).isEqualTo(SagaStatus.RUNNING);
    }

    @Test
    void writeAllRefusesOnlyTheWritesWhoseLeaseWasLostAndAnswersInTheOrderOfTheWrites() {
        // ids chosen so that sorting the writes by saga id reverses their order: the answers must not follow
        String token = UUID.randomUUID().toString();
        String fourth = newSaga("z-" + token, "node-a", "trip");
        String taken = newSaga("s-" + token, "node-a", "stolen-" + token);
        String foreign = newSaga("m-" + token, "node-a", "trip");
        String first = newSaga("a-" + token, "node-a", "trip");
        store().write(new AppendStep(lease(first), callStep(first, 1)));
        Lease lost = lease(taken);
        store().renewLeases("node-a", List.of(taken), now.minusSeconds(1));
        assertThat(store().claim("node-b", List.of(new WorkflowKey("stolen-" + token, "1")), 10, false, now,
                now.plusSeconds(30))).extracting(claim -> claim.saga().id()).containsExactly(taken);
        Lease wrongOwner = new Lease(foreign, "node-x", lease(foreign).epoch());

        boolean[] written = store().writeAll(List.of(
                new AppendStep(lease(fourth), callStep(fourth, 1)),
                new AppendStep(lost, callStep(taken, 1)),
                new CompleteSaga(wrongOwner, "\"stolen\"", now),
                new UpdateStep(lease(first), callStep(first, 1).finished(StepStatus.FAILED, null, "{}", 2, now))));

        assertThat(written).containsExactly(true, false, false, true);
        assertThat(store().loadJournal(fourth)).extracting(StepRecord::seq).containsExactly(1);
        assertThat(store().loadJournal(first)).extracting(StepRecord::status).containsExactly(StepStatus.FAILED);
        assertThat(store().loadJournal(taken)).as("the journal of the saga whose lease was lost").isEmpty();
        InstanceRecord stolen = store().findInstance(taken).orElseThrow();
        assertThat(stolen.owner()).isEqualTo("node-b");
        assertThat(stolen.leaseEpoch()).isEqualTo(lost.epoch() + 1);
        InstanceRecord notCompleted = store().findInstance(foreign).orElseThrow();
        assertThat(notCompleted.status()).isEqualTo(SagaStatus.RUNNING);
        assertThat(notCompleted.output()).isNull();
        assertThat(notCompleted.owner()).isEqualTo("node-a");
    }

    @Test
    void writeAllOfSeveralWritesOfEachKindRefusesExactlyThoseWhoseLeaseWasLost() {
        // several writes of each kind, so that each kind is a batch of its own with landed and fenced writes
        String taken = "taken-" + UUID.randomUUID();
        String appended = newSaga("node-a");
        String appendLost = newSaga(UUID.randomUUID().toString(), "node-a", taken);
        String appendedToo = newSaga("node-a");
        String updated = withStartedStep(newSaga("node-a"));
        String updateLost = withStartedStep(newSaga(UUID.randomUUID().toString(), "node-a", taken));
        String updatedToo = withStartedStep(newSaga("node-a"));
        String completed = newSaga("node-a");
        String completionLost = newSaga(UUID.randomUUID().toString(), "node-a", taken);
        String completedToo = newSaga("node-a");
        Map<String, Lease> lost = takeOver(taken, List.of(appendLost, updateLost, completionLost));
        // the new owner has already written the entry the fenced append would write
        StepRecord newOwners = StepRecord.of(appendLost, 1, "call-1", StepKind.CALL, null, StepStatus.SUCCEEDED,
                null, "\"new owner\"", null, 1, now, now);
        store().write(new AppendStep(lease(appendLost), newOwners));

        boolean[] written = store().writeAll(List.of(
                new AppendStep(lease(appended), callStep(appended, 1)),
                new UpdateStep(lost.get(updateLost), finished(updateLost)),
                new CompleteSaga(lease(completed), "\"done\"", now),
                new AppendStep(lost.get(appendLost), callStep(appendLost, 1)),
                new UpdateStep(lease(updated), finished(updated)),
                new CompleteSaga(lost.get(completionLost), "\"stolen\"", now),
                new AppendStep(lease(appendedToo), callStep(appendedToo, 1)),
                new UpdateStep(lease(updatedToo), finished(updatedToo)),
                new CompleteSaga(lease(completedToo), "\"done too\"", now)));

        assertThat(written).containsExactly(true, false, true, false, true, false, true, true, true);
        assertThat(store().loadJournal(appended)).containsExactly(callStep(appended, 1));
        assertThat(store().loadJournal(appendedToo)).containsExactly(callStep(appendedToo, 1));
        assertThat(store().loadJournal(appendLost)).as("the journal the new owner wrote").containsExactly(newOwners);
        assertThat(statuses(updated)).containsExactly(StepStatus.SUCCEEDED);
        assertThat(statuses(updatedToo)).containsExactly(StepStatus.SUCCEEDED);
        assertThat(statuses(updateLost)).as("the entry whose rewrite was fenced").containsExactly(StepStatus.STARTED);
        assertThat(store().findInstance(completed).orElseThrow().output()).isEqualTo("\"done\"");
        assertThat(store().findInstance(completedToo).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        InstanceRecord notCompleted = store().findInstance(completionLost).orElseThrow();
        assertThat(notCompleted.status()).isEqualTo(SagaStatus.RUNNING);
        assertThat(notCompleted.output()).isNull();
        assertThat(notCompleted.owner()).isEqualTo("node-b");
    }

    @Test
    void writeAllOfWritesThatAllLostTheirLeaseWritesNothing() {
        String taken = "taken-" + UUID.randomUUID();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(withStartedStep(newSaga(UUID.randomUUID().toString(), "node-a", taken)));
        }
        Map<String, Lease> lost = takeOver(taken, ids);

        boolean[] written = store().writeAll(List.of(
                new AppendStep(lost.get(ids.get(0)), callStep(ids.get(0), 2)),
                new AppendStep(lost.get(ids.get(1)), callStep(ids.get(1), 2)),
                new UpdateStep(lost.get(ids.get(2)), finished(ids.get(2))),
                new UpdateStep(lost.get(ids.get(3)), finished(ids.get(3))),
                new CompleteSaga(lost.get(ids.get(4)), "\"stolen\"", now),
                new CompleteSaga(lost.get(ids.get(5)), "\"stolen\"", now)));

        assertThat(written).containsOnly(false).hasSize(6);
        for (String id : ids) {
            assertThat(statuses(id)).as("the journal of %s", id).containsExactly(StepStatus.STARTED);
            InstanceRecord saga = store().findInstance(id).orElseThrow();
            assertThat(saga.status()).isEqualTo(SagaStatus.RUNNING);
            assertThat(saga.output()).isNull();
            assertThat(saga.owner()).isEqualTo("node-b");
        }
    }

    @Test
    void writeAllWithAWriteTheDatabaseRefusesFailsAndWritesNothingOfTheBatch() {
        String fresh = newSaga("node-a");
        String duplicated = newSaga("node-a");
        String finishing = newSaga("node-a");
        String intent = newSaga("node-a");
        StepRecord existing = callStep(duplicated, 1);
        store().write(new AppendStep(lease(duplicated), existing));
        StepRecord started = StepRecord.of(intent, 1, "sendEmail", StepKind.ACTION, Reversibility.IRREVERSIBLE,
                StepStatus.STARTED, "\"to\"", null, null, 1, now, null);
        store().write(new AppendStep(lease(intent), started));
        List<JournalWrite> writes = List.of(
                new AppendStep(lease(fresh), callStep(fresh, 1)),
                new CompleteSaga(lease(finishing), "\"done\"", now),
                new AppendStep(lease(duplicated), StepRecord.of(duplicated, 1, "other", StepKind.CALL, null,
                        StepStatus.SUCCEEDED, null, "\"again\"", null, 1, now, now)),
                new UpdateStep(lease(intent), started.finished(StepStatus.SUCCEEDED, "\"sent\"", null, 1, now)));

        assertThatThrownBy(() -> store().writeAll(writes)).isInstanceOf(SagaStoreException.class);

        assertThat(store().loadJournal(fresh)).as("an append of the failed batch").isEmpty();
        assertThat(store().loadJournal(duplicated)).containsExactly(existing);
        assertThat(store().loadJournal(intent)).as("an update of the failed batch").containsExactly(started);
        InstanceRecord notCompleted = store().findInstance(finishing).orElseThrow();
        assertThat(notCompleted.status()).as("a completion of the failed batch").isEqualTo(SagaStatus.RUNNING);
        assertThat(notCompleted.output()).isNull();
        assertThat(notCompleted.owner()).isEqualTo("node-a");
        // the good writes go through once the refused one is left out
        assertThat(store().writeAll(List.of(writes.get(0), writes.get(1), writes.get(3))))
                .containsExactly(true, true, true);
        assertThat(store().loadJournal(fresh)).hasSize(1);
        assertThat(store().findInstance(finishing).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
    }

    @Test
    void writeAllOfAppendsOnlyWithARefusedOneWritesNoneOfThem() {
        String first = newSaga("node-a");
        String duplicated = newSaga("node-a");
        String last = newSaga("node-a");
        StepRecord existing = callStep(duplicated, 1);
        store().write(new AppendStep(lease(duplicated), existing));
        List<JournalWrite> writes = List.of(
                new AppendStep(lease(first), callStep(first, 1)),
                new AppendStep(lease(duplicated), StepRecord.of(duplicated, 1, "other", StepKind.CALL, null,
                        StepStatus.SUCCEEDED, null, "\"again\"", null, 1, now, now)),
                new AppendStep(lease(last), callStep(last, 1)));

        assertThatThrownBy(() -> store().writeAll(writes)).isInstanceOf(SagaStoreException.class);

        assertThat(store().loadJournal(first)).as("the append before the refused one").isEmpty();
        assertThat(store().loadJournal(duplicated)).containsExactly(existing);
        assertThat(store().loadJournal(last)).as("the append after the refused one").isEmpty();
    }

    @Test
    void writeAllOfManyAppendsWithARefusedOneWritesNoneOfThem() {
        // more writes than a driver may send before it syncs with the server: still one transaction
        List<String> ids = new ArrayList<>();
        List<JournalWrite> writes = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String id = newSaga("node-a");
            ids.add(id);
            writes.add(new AppendStep(lease(id), callStep(id, 1)));
        }
        String duplicated = ids.get(ids.size() - 1);
        store().write(new AppendStep(lease(duplicated), callStep(duplicated, 1)));

        assertThatThrownBy(() -> store().writeAll(writes)).isInstanceOf(SagaStoreException.class);

        List<String> written = ids.subList(0, ids.size() - 1).stream()
                .filter(id -> !store().loadJournal(id).isEmpty()).toList();
        assertThat(written.size()).as("appends of the failed batch written anyway, of %d good ones (the first: %s)",
                ids.size() - 1, written.stream().limit(3).toList()).isZero();
    }

    @Test
    void writeAllOfNoWritesAnswersNothing() {
        assertThat(store().writeAll(List.of())).isEmpty();
    }

    /** The saga with an intent recorded as its first entry (STARTED), for a rewrite to finish. */
    private String withStartedStep(String id) {
        store().write(new AppendStep(lease(id), started(id)));
        return id;
    }

    private StepRecord started(String id) {
        return StepRecord.of(id, 1, "sendEmail", StepKind.ACTION, Reversibility.IRREVERSIBLE, StepStatus.STARTED,
                "\"to\"", null, null, 1, now, null);
    }

    private StepRecord finished(String id) {
        return started(id).finished(StepStatus.SUCCEEDED, "\"sent\"", null, 1, now);
    }

    /**
     * Lets the leases of {@code ids}, sagas of {@code workflow} that node-a runs, expire and has node-b claim
     * them; answers the leases node-a held.
     */
    private Map<String, Lease> takeOver(String workflow, List<String> ids) {
        Map<String, Lease> held = ids.stream().collect(Collectors.toMap(id -> id, this::lease));
        store().renewLeases("node-a", ids, now.minusSeconds(1));
        assertThat(store().claim("node-b", List.of(new WorkflowKey(workflow, "1")), 100, false, now,
                now.plusSeconds(30))).extracting(claim -> claim.saga().id()).containsExactlyInAnyOrderElementsOf(ids);
        return held;
    }

    /** The lease the saga's current owner holds. */
    Lease lease(String id) {
        InstanceRecord saga = store().findInstance(id).orElseThrow();
        return new Lease(id, saga.owner() == null ? "nobody" : saga.owner(), saga.leaseEpoch());
    }

    /** A parent parked for an hour, and its child running on node-b. */
    private String[] parkedParentAndRunningChild() {
        String parent = newSaga("node-a");
        park(parent, now.plusSeconds(3600));
        String child = parent + ":2";
        assertThat(store().createInstance(new NewSaga(child, "trip", "1", "{}", "node-b", now, now.plusSeconds(30),
                parent, 2, null, null, null, null, null, 0))).isTrue();
        return new String[] { parent, child };
    }

    @Test
    void aChildsCompletionWakesItsParkedParentInTheSameWrite() {
        String[] alone = parkedParentAndRunningChild();
        String[] grouped = parkedParentAndRunningChild();
        String other = newSaga("node-b");

        boolean completed = store().write(new CompleteSaga(lease(alone[1]), "\"ok\"", now.plusSeconds(1), alone[0]));
        boolean[] written = store().writeAll(List.of(new AppendStep(lease(other), callStep(other, 1)),
                new CompleteSaga(lease(grouped[1]), "\"ok\"", now.plusSeconds(2), grouped[0])));

        assertThat(completed).isTrue();
        assertThat(written).containsExactly(true, true);
        assertThat(store().findInstance(alone[0]).orElseThrow().wakeAt()).isEqualTo(now.plusSeconds(1));
        assertThat(store().findInstance(grouped[0]).orElseThrow().wakeAt()).isEqualTo(now.plusSeconds(2));
        assertThat(store().findInstance(alone[0]).orElseThrow().status()).isEqualTo(SagaStatus.WAITING);
    }

    @Test
    void aChildsCompletionRefusedForItsLostLeaseLeavesItsParentParked() {
        String[] sagas = parkedParentAndRunningChild();
        Lease old = lease(sagas[1]);
        store().renewLeases("node-b", List.of(sagas[1]), now.minusSeconds(1));
        store().claim("node-c", List.of(TRIP), 1000, false, now, now.plusSeconds(30));

        boolean completed = store().write(new CompleteSaga(old, "\"ok\"", now.plusSeconds(1), sagas[0]));

        assertThat(completed).isFalse();
        assertThat(store().findInstance(sagas[0]).orElseThrow().wakeAt()).isEqualTo(now.plusSeconds(3600));
        assertThat(store().findInstance(sagas[1]).orElseThrow().status()).isEqualTo(SagaStatus.RUNNING);
    }

    private void park(String id, Instant wakeAt) {
        store().park(new AppendStep(lease(id), StepRecord.of(id, 1, "sleep", StepKind.SLEEP, null, StepStatus.STARTED, "\"x\"", null, null, 1,
                now, null)), wakeAt, now, null);
    }

    /** Inserts {@code count} COMPLETED sagas {@code workflow-first} and on, created one second apart, in one batch. */
    @Test
    void reserveRateGrantsRequestsOfAWindowUpToTheLimitAndCountsEachWindowApart() {
        String key = "model-" + UUID.randomUUID();
        Instant window = now.truncatedTo(ChronoUnit.MINUTES);
        RateReservation one = new RateReservation(key, window, 2, 0, 10);

        List<Boolean> granted = List.of(store().reserveRate(one), store().reserveRate(one), store().reserveRate(one));
        boolean nextWindow = store().reserveRate(new RateReservation(key, window.plusSeconds(60), 2, 0, 10));

        assertThat(granted).containsExactly(true, true, false);
        assertThat(nextWindow).isTrue();
    }

    @Test
    void reserveRateGrantsTheFirstRequestOfAWindowWhateverItsTokensThenHoldsToTheTokenLimit() {
        String key = "model-" + UUID.randomUUID();
        Instant window = now.truncatedTo(ChronoUnit.MINUTES);

        boolean large = store().reserveRate(new RateReservation(key, window, 0, 100, 500));
        boolean small = store().reserveRate(new RateReservation(key, window, 0, 100, 1));
        String other = "model-" + UUID.randomUUID();
        boolean first = store().reserveRate(new RateReservation(other, window, 0, 100, 60));
        store().addRateTokens(other, window, -50);
        boolean afterCorrection = store().reserveRate(new RateReservation(other, window, 0, 100, 80));
        boolean over = store().reserveRate(new RateReservation(other, window, 0, 100, 11));

        assertThat(large).isTrue();
        assertThat(small).isFalse();
        assertThat(first).isTrue();
        assertThat(afterCorrection).as("10 + 80 of 100").isTrue();
        assertThat(over).as("90 + 11 of 100").isFalse();
    }

    private void insertCompleted(String workflow, int first, int count) {
        List<String> ids = new ArrayList<>();
        List<Instant> created = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            ids.add(workflow + "-" + i);
            created.add(now.plusSeconds(i));
        }
        insertFinished(workflow, ids, Collections.nCopies(count, SagaStatus.COMPLETED), created);
    }

    private void insertFinished(String workflow, List<String> ids, List<SagaStatus> statuses, List<Instant> created) {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            Object at = timestamp(created.get(i));
            rows.add(new Object[] { ids.get(i), workflow, statuses.get(i).name(), at, at });
        }
        new TransactionTemplate(new DataSourceTransactionManager(dataSource())).executeWithoutResult(tx ->
                new JdbcTemplate(dataSource()).batchUpdate("""
                        INSERT INTO ops_saga_instance (id, workflow, workflow_version, status, cancel_requested,
                                                       lease_epoch, created_at, updated_at)
                        VALUES (?, ?, '1', ?, FALSE, 1, ?, ?)""", rows));
    }

    /** Two journal entries and a signal for the saga. */
    private void addStepsAndSignal(String sagaId) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource());
        for (int seq = 1; seq <= 2; seq++) {
            jdbc.update("""
                    INSERT INTO ops_saga_step (saga_id, seq, name, kind, status, output, attempts, compensation_attempts)
                    VALUES (?, ?, 'call', 'CALL', 'SUCCEEDED', '"ok"', 1, 0)""", sagaId, seq);
        }
        jdbc.update("INSERT INTO ops_saga_signal (id, saga_id, name, payload, created_at) VALUES (?, ?, 'approval', "
                + "'{}', ?)", UUID.randomUUID().toString(), sagaId, timestamp(now));
    }

    private List<StepStatus> statuses(String id) {
        return store().loadJournal(id).stream().map(StepRecord::status).toList();
    }

}
