package dev.agentsaga.dashboard;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

/**
 * The screenshots of the documentation, taken by a browser test so that they show the pages as they are.
 * Each is written to {@code target/screenshots/} and, when it differs from the one in {@code docs/images/}
 * by more than {@value #CHANGED_SHARE} of its pixels (or in size), there too: times and durations that
 * differ from run to run do not rewrite the file, a change of the pages does.
 */
final class Screenshots {

    static final double CHANGED_SHARE = 0.01;

    private static final Path DOCS = Path.of("..", "docs");

    private Screenshots() {
    }

    static void save(byte[] png, String name) {
        Browser.write(Path.of("target", "screenshots", name), png);
        if (!Files.isDirectory(DOCS)) {
            return; // built outside the project's tree
        }
        Path documented = DOCS.resolve("images").resolve(name);
        if (changedShare(documented, png) > CHANGED_SHARE) {
            Browser.write(documented, png);
        }
    }

    /** The share of pixels that differ, 1 when the file is missing or the size differs. */
    static double changedShare(Path existing, byte[] png) {
        if (!Files.exists(existing)) {
            return 1;
        }
        try {
            BufferedImage before = ImageIO.read(existing.toFile());
            BufferedImage after = ImageIO.read(new ByteArrayInputStream(png));
            if (before == null || after == null || before.getWidth() != after.getWidth()
                    || before.getHeight() != after.getHeight()) {
                return 1;
            }
            long changed = 0;
            for (int y = 0; y < after.getHeight(); y++) {
                for (int x = 0; x < after.getWidth(); x++) {
                    if (before.getRGB(x, y) != after.getRGB(x, y)) {
                        changed++;
                    }
                }
            }
            return (double) changed / ((long) after.getWidth() * after.getHeight());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
