package dev.agentsaga.dashboard;

import java.net.URI;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Refuses actions posted from another site: a browser says where a request comes from in
 * {@code Sec-Fetch-Site} (all current browsers), or else in {@code Origin}, which must then name the
 * host the request was sent to. A request with neither (a script, {@code curl}) is not a browser's and
 * passes: cross-site request forgery needs a browser.
 */
final class SameOriginCheck {

    private SameOriginCheck() {
    }

    static boolean allows(HttpServletRequest request) {
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null) {
            return site.equalsIgnoreCase("same-origin") || site.equalsIgnoreCase("none");
        }
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return true;
        }
        String host = request.getHeader("Host");
        try {
            URI uri = URI.create(origin);
            String authority = uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            return host != null && authority != null
                    && authority.toLowerCase(Locale.ROOT).equals(host.toLowerCase(Locale.ROOT));
        }
        catch (IllegalArgumentException ex) {
            return false;
        }
    }
}
