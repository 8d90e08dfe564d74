package dev.agentsaga.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;

import dev.agentsaga.SagaExport;

/**
 * Archives sagas as JSON lines, one saga per line in the journal export format ({@link SagaExport#toJsonLine()},
 * readable with {@link SagaExport#fromJson(String)}), one file per UTC day of archiving:
 * {@code <directory>/sagas-2026-12-02.jsonl}. Each batch is appended and forced to disk before
 * {@link #archive} returns.
 */
public final class JsonLinesArchiver implements SagaArchiver {

    private final Path directory;

    private final Clock clock;

    public JsonLinesArchiver(Path directory) {
        this(directory, Clock.systemUTC());
    }

    public JsonLinesArchiver(Path directory, Clock clock) {
        this.directory = Objects.requireNonNull(directory, "directory must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /** The file a batch archived today goes to. */
    public Path today() {
        return directory.resolve("sagas-" + LocalDate.now(clock.withZone(ZoneOffset.UTC)) + ".jsonl");
    }

    @Override
    public synchronized void archive(List<SagaExport> sagas) throws IOException {
        if (sagas.isEmpty()) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        for (SagaExport saga : sagas) {
            lines.append(saga.toJsonLine()).append('\n');
        }
        Files.createDirectories(directory);
        try (FileChannel file = FileChannel.open(today(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                file.write(bytes);
            }
            file.force(true);
        }
    }
}
