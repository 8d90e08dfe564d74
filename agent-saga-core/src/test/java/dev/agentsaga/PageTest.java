package dev.agentsaga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** What a page says about the pages after it, with an exact total and with a lower bound. */
class PageTest {

    @Test
    void anExactTotalTellsWhetherAnotherPageFollows() {
        Page<String> middle = new Page<>(List.of("a", "b"), 1, 2, 5);
        Page<String> last = new Page<>(List.of("e"), 2, 2, 5);

        assertThat(middle.totalExact()).isTrue();
        assertThat(middle.hasNext()).isTrue();
        assertThat(last.hasNext()).isFalse();
    }

    @Test
    void aLowerBoundMeansMoreResultsFollow() {
        Page<String> page = new Page<>(List.of("a", "b"), 0, 2, 10_000, false);

        assertThat(page.hasNext()).isTrue();
    }

    @Test
    void aLowerBoundThatDoesNotReachPastThePageIsRefused() {
        assertThatThrownBy(() -> new Page<>(List.of("a", "b"), 4, 2, 9, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must reach past the end of the page (10 results), was 9");
        assertThatThrownBy(() -> new Page<>(List.of(), 0, 2, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
    }
}
