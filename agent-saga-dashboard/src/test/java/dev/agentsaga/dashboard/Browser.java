package dev.agentsaga.dashboard;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A headless Chromium driven through its ChromeDriver: Debian's {@code chromium} and {@code chromium-driver}
 * ({@code /usr/bin/chromium}, {@code /usr/bin/chromedriver}; elsewhere point {@code AGENT_SAGA_CHROMIUM}
 * and {@code AGENT_SAGA_CHROMEDRIVER} at them). Both are given by path, so nothing is downloaded. Where
 * they are missing, {@link RequiresBrowser} skips the tests with the reason.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of(env("AGENT_SAGA_CHROMIUM", "/usr/bin/chromium"));

    static final Path CHROMEDRIVER = Path.of(env("AGENT_SAGA_CHROMEDRIVER", "/usr/bin/chromedriver"));

    static final Duration WAIT = Duration.ofSeconds(15);

    private final ChromeDriver driver;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    /** Why the browser tests cannot run here, or null when Chromium and ChromeDriver are installed. */
    static @Nullable String missing() {
        if (!Files.isExecutable(CHROMIUM)) {
            return "No Chromium at " + CHROMIUM + ": install Debian's chromium and chromium-driver (apt-get install "
                    + "chromium chromium-driver), or set AGENT_SAGA_CHROMIUM, to run the browser tests";
        }
        if (!Files.isExecutable(CHROMEDRIVER)) {
            return "No ChromeDriver at " + CHROMEDRIVER + ": install Debian's chromium-driver, or set "
                    + "AGENT_SAGA_CHROMEDRIVER, to run the browser tests";
        }
        return null;
    }

    /** A new browser with an empty profile in {@code profile}; skips the test when there is no Chromium. */
    static Browser launch(Path profile) {
        String missing = missing();
        Assumptions.assumeTrue(missing == null, missing);
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1", "--lang=en-GB",
                "--window-size=1280,900", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withEnvironment(Map.of("TZ", "UTC"))
                .withLogFile(new File(profile.toFile(), "chromedriver.log"))
                .build();
        return new Browser(new ChromeDriver(service, options));
    }

    void open(String url) {
        driver.get(url);
    }

    WebDriver driver() {
        return driver;
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    boolean has(String css) {
        return !all(css).isEmpty();
    }

    /** Waits until the condition holds (returns non-null and not false). */
    <T> T await(String what, Function<WebDriver, T> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                T value = condition.apply(driver);
                if (value != null && !Boolean.FALSE.equals(value)) {
                    return value;
                }
            }
            catch (WebDriverException ex) {
                last = ex; // not there yet, or replaced by a refresh while it was read
            }
            pause();
        }
        throw new AssertionError("Waited " + WAIT.toSeconds() + " s for " + what + " at " + driver.getCurrentUrl(), last);
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    /** The text of the first element, read again if a live refresh replaced it meanwhile. */
    String text(String css) {
        return await("the text of " + css, d -> d.findElement(By.cssSelector(css)).getText());
    }

    /** An attribute of the first element ("" when it has none), read again if a live refresh replaced it. */
    String attribute(String css, String name) {
        return await(name + " of " + css, d -> {
            String value = d.findElement(By.cssSelector(css)).getAttribute(name);
            return value == null ? "" : value;
        });
    }

    /** Types into the first element, again if a live refresh replaced it before the text was in. */
    void type(String css, String text) {
        await("typing into " + css, d -> {
            WebElement field = d.findElement(By.cssSelector(css));
            field.clear();
            field.sendKeys(text);
            return text.equals(d.findElement(By.cssSelector(css)).getDomProperty("value"));
        });
    }

    /** Clicks the first element, again if a live refresh replaced it. */
    void click(String css) {
        await("a click on " + css, d -> {
            d.findElement(By.cssSelector(css)).click();
            return true;
        });
    }

    WebElement awaitElement(String css) {
        return await("an element " + css, d -> d.findElements(By.cssSelector(css)).stream().findFirst().orElse(null));
    }

    Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    Object asyncScript(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    /** A PNG of the whole page: the window is made as tall as the page first. */
    byte[] screenshot(int width) {
        long height = (Long) script("return Math.ceil(document.documentElement.scrollHeight)");
        driver.manage().window().setSize(new Dimension(width, (int) Math.min(height, 4000)));
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        driver.manage().window().setSize(new Dimension(1280, 900));
        return png;
    }

    @Override
    public void close() {
        driver.quit();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** Writes a file, creating its folder. */
    static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
