package loomproxy.admin;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import loomproxy.metrics.Addresses;
import loomproxy.metrics.Build;
import loomproxy.metrics.Expiry;
import loomproxy.metrics.Metrics;
import loomproxy.metrics.PeerMetrics;
import loomproxy.metrics.PeerView;
import loomproxy.metrics.Reloads;
import loomproxy.metrics.ServerMetrics;
import loomproxy.metrics.UpstreamMetrics;

/**
 * {@code GET /status} (SPEC §10): what runs, from what file, and how each server block and upstream
 * server is doing, as JSON. Public facts only: names, addresses, counts, certificate subjects and
 * dates; never a key, a passphrase or a client's address. Times are ISO 8601 UTC, null for never.
 */
final class StatusPage {
    private StatusPage() {}

    static String of(Metrics metrics, Optional<String> trouble) {
        Json j = new Json().beginObject();
        j.name("version").value(Build.version());
        j.name("java_version").value(Build.javaVersion());
        j.name("start_time").value(time(metrics.started()));
        j.name("health").value(trouble.orElse("ok"));
        configuration(j, metrics);
        j.name("servers").beginArray();
        metrics.servers().forEach(s -> server(j, s));
        j.endArray();
        j.name("upstreams").beginArray();
        metrics.upstreams().forEach(u -> upstream(j, u, metrics));
        j.endArray();
        return j.endObject().toString();
    }

    private static void configuration(Json j, Metrics metrics) {
        Reloads reloads = metrics.reloads();
        Reloads.Outcome last = reloads.last();
        j.name("configuration").beginObject();
        j.name("file").value(metrics.configFile().toString());
        j.name("loaded").value(time(reloads.lastSuccess()));
        j.name("last_reload").beginObject();
        j.name("time").value(last == null ? null : time(last.time()));
        j.name("result").value(last == null ? "never" : last.ok() ? "ok" : "failed");
        j.name("errors").beginArray();
        if (last != null) {
            last.errors().forEach(j::value);
        }
        j.endArray().endObject().endObject();
    }

    private static void server(Json j, ServerMetrics s) {
        j.beginObject().name("name").value(s.name());
        j.name("listeners").beginArray();
        s.listeners().forEach(a -> j.value(Addresses.text(a)));
        j.endArray();
        j.name("active_sessions").value(s.active());
        j.name("total_sessions").value(s.acceptedCount());
        j.endObject();
    }

    private static void upstream(Json j, UpstreamMetrics u, Metrics metrics) {
        j.beginObject().name("name").value(u.name()).name("peers").beginArray();
        for (PeerView p : u.view(metrics.servers())) {
            j.beginObject();
            j.name("address").value(p.name());
            j.name("state").value(p.state());
            j.name("backup").value(p.backup());
            j.name("active_sessions").value(p.sessions());
            j.name("fails").value(p.fails());
            PeerMetrics.Failure failure = p.metrics().lastFailure();
            j.name("last_failure");
            if (failure == null) {
                j.nullValue();
            } else {
                j.beginObject().name("time").value(time(failure.time())).name("reason").value(failure.reason()).endObject();
            }
            health(j, p);
            Expiry certificate = p.metrics().certificate();
            j.name("certificate");
            if (certificate == null) {
                j.nullValue();
            } else {
                j.beginObject().name("subject").value(certificate.name()).name("not_after").value(time(certificate.at()))
                        .endObject();
            }
            j.endObject();
        }
        j.endArray().endObject();
    }

    /**
     * Per server block that checks this server (SPEC §11): its verdict ({@code healthy} or
     * {@code unhealthy}), and the time and result of its latest probe (null before the first).
     */
    private static void health(Json j, PeerView p) {
        j.name("health").beginObject();
        p.health().forEach((server, check) -> {
            j.name(server).beginObject();
            j.name("status").value(check == null || check.healthy() ? "healthy" : "unhealthy");
            j.name("last_check").value(check == null ? null : time(check.time()));
            j.name("result").value(check == null ? null : check.result());
            j.endObject();
        });
        j.endObject();
    }

    private static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
