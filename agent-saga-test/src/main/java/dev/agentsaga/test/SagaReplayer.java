package dev.agentsaga.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.SagaExport;
import dev.agentsaga.engine.JournalReplayer;
import dev.agentsaga.engine.ReplayReport;

/**
 * Replays exported journals ({@link SagaExport}, as {@code SagaCoordinator.export} or the actuator's
 * {@code /actuator/sagas/{id}/journal} give them) against the current workflow and action code,
 * executing nothing: no action, no model call, no database. A team keeps a folder of production
 * journals and replays it in CI before deploying a new version; the first difference (non-determinism,
 * drift of a model request, a finished saga that would now go on or end otherwise) fails the test.
 */
public final class SagaReplayer {

    private final JournalReplayer replayer;

    private SagaReplayer(JournalReplayer replayer) {
        this.replayer = replayer;
    }

    /**
     * A replayer with the actions and workflows that {@code configuration} registers, the same
     * configuration as the application's or the test's engines.
     */
    public static SagaReplayer of(Consumer<AgentSaga.Builder> configuration) {
        Objects.requireNonNull(configuration, "configuration must not be null");
        AgentSaga.Builder builder = AgentSaga.replayer();
        configuration.accept(builder);
        return new SagaReplayer(builder.buildReplayer());
    }

    /**
     * Replays one journal.
     * @throws InvalidSagaStateException when the journal is an erased saga's
     *     ({@code SagaCoordinator.erase}): it holds no payloads to replay with
     */
    public ReplayReport replay(SagaExport journal) {
        return replayer.replay(journal);
    }

    /**
     * Replays the journal in a JSON file.
     * @throws InvalidSagaStateException when the journal is an erased saga's
     */
    public ReplayReport replay(Path file) {
        return replay(read(file));
    }

    /**
     * Replays one journal and fails unless the code agrees with it.
     * @throws AssertionError with the first difference
     * @throws InvalidSagaStateException when the journal is an erased saga's
     */
    public void assertReplaysClean(SagaExport journal) {
        ReplayReport report = replay(journal);
        if (!report.clean()) {
            throw new AssertionError("The journal of saga " + report.sagaId() + " does not replay against the current "
                    + "code: " + report.detail());
        }
    }

    /** One dynamic test per {@code *.json} file under {@code folder}, each replaying that journal. */
    public Stream<DynamicTest> dynamicTests(Path folder) {
        List<Path> files;
        try (Stream<Path> found = Files.walk(folder)) {
            files = found.filter(path -> path.toString().endsWith(".json")).sorted().toList();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot list the journals in " + folder, ex);
        }
        if (files.isEmpty()) {
            throw new AssertionError("No journal (*.json) in " + folder.toAbsolutePath());
        }
        return files.stream().map(file -> DynamicTest.dynamicTest(folder.relativize(file).toString(),
                file.toUri(), () -> assertReplaysClean(read(file))));
    }

    private static SagaExport read(Path file) {
        try {
            return SagaExport.fromJson(Files.readString(file, StandardCharsets.UTF_8));
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot read the journal " + file, ex);
        }
    }
}
