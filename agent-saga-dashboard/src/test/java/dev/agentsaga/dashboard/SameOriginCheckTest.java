package dev.agentsaga.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class SameOriginCheckTest {

    @Test
    void allowsWhatTheBrowserSaysComesFromThePageItself() {
        assertThat(SameOriginCheck.allows(request("Sec-Fetch-Site", "same-origin"))).isTrue();
    }

    @Test
    void refusesWhatTheBrowserSaysComesFromAnotherSite() {
        assertThat(SameOriginCheck.allows(request("Sec-Fetch-Site", "cross-site"))).isFalse();
        assertThat(SameOriginCheck.allows(request("Sec-Fetch-Site", "same-site"))).isFalse();
    }

    @Test
    void withoutFetchMetadataComparesTheOriginWithTheHost() {
        assertThat(SameOriginCheck.allows(request("Origin", "http://ops.example.com:8080"))).isTrue();
        assertThat(SameOriginCheck.allows(request("Origin", "https://evil.example.net"))).isFalse();
        assertThat(SameOriginCheck.allows(request("Origin", "null"))).isFalse();
    }

    @Test
    void allowsARequestThatNoBrowserSent() {
        assertThat(SameOriginCheck.allows(new MockHttpServletRequest("POST", "/agent-saga/sagas/1/retry"))).isTrue();
    }

    private static MockHttpServletRequest request(String header, String value) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/agent-saga/sagas/1/retry");
        request.addHeader("Host", "ops.example.com:8080");
        request.addHeader(header, value);
        return request;
    }
}
