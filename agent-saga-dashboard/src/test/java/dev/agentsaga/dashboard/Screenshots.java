package dev.agentsaga.dashboard;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

import org.w3c.dom.Node;

/**
 * The screenshots of the documentation, taken by a browser test so that they show the pages as they are.
 * Each is written to {@code target/screenshots/}, and to {@code docs/images/} when what the pages are
 * made of changed since the file there was taken: each PNG carries a {@link #fingerprint()} of the
 * dashboard's classes, templates and assets and of the test application, so that times and durations
 * that differ from run to run do not rewrite the files, while a change of the pages does.
 */
final class Screenshots {

    static final String KEYWORD = "agent-saga-page";

    private static final Path DOCS = Path.of("..", "docs");

    private Screenshots() {
    }

    static void save(byte[] png, String name) {
        String fingerprint = fingerprint();
        byte[] marked = withText(png, fingerprint);
        Browser.write(Path.of("target", "screenshots", name), marked);
        if (!Files.isDirectory(DOCS)) {
            return; // built outside the project's tree
        }
        Path documented = DOCS.resolve("images").resolve(name);
        if (!fingerprint.equals(fingerprintOf(documented))) {
            Browser.write(documented, marked);
        }
    }

    /**
     * A fingerprint of what the pages are made of: the dashboard's classes, templates, style sheet and
     * script, and the classes of the application whose sagas the screenshots show. Compiled classes are
     * the same bytes for the same source, so it changes when the pages can look different, not when a run
     * only draws other times and durations.
     */
    static String fingerprint() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path root : new Path[] { Path.of("target", "classes"), Path.of("target", "test-classes", "dev", "agentsaga",
                    "dashboard", "app") }) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(root)) {
                    files = walk.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path file : files) {
                    digest.update(root.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
                    digest.update(Files.readAllBytes(file));
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The fingerprint a PNG carries, or null. */
    static String fingerprintOf(Path png) {
        if (!Files.exists(png)) {
            return null;
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(png.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            reader.setInput(in);
            Node root = reader.getImageMetadata(0).getAsTree("javax_imageio_png_1.0");
            for (Node chunk = root.getFirstChild(); chunk != null; chunk = chunk.getNextSibling()) {
                if (!chunk.getNodeName().equals("tEXt")) {
                    continue;
                }
                for (Node entry = chunk.getFirstChild(); entry != null; entry = entry.getNextSibling()) {
                    IIOMetadataNode text = (IIOMetadataNode) entry;
                    if (KEYWORD.equals(text.getAttribute("keyword"))) {
                        return text.getAttribute("value");
                    }
                }
            }
            return null;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The PNG again, with a text chunk that carries the fingerprint. */
    private static byte[] withText(byte[] png, String fingerprint) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image),
                    writer.getDefaultWriteParam());
            IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
            entry.setAttribute("keyword", KEYWORD);
            entry.setAttribute("value", fingerprint);
            IIOMetadataNode text = new IIOMetadataNode("tEXt");
            text.appendChild(entry);
            IIOMetadataNode root = new IIOMetadataNode("javax_imageio_png_1.0");
            root.appendChild(text);
            metadata.mergeTree("javax_imageio_png_1.0", root);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(image, null, metadata), writer.getDefaultWriteParam());
            }
            writer.dispose();
            return bytes.toByteArray();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
