package loomproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -T}: every block's effective values, each with its origin, in a stable format. */
class DumpTest {
    @TempDir
    Path dir;

    /** The dump with this test's paths written FILE and DIR, and the padding before each origin as three spaces. */
    private List<String> dump(String... lines) throws ConfigException {
        return raw(lines).stream().map(l -> l.replace(dir.resolve("loomproxy.properties").toString(), "FILE")
                .replace(dir.toString(), "DIR").replaceAll(" {3,}# ", "   # ")).toList();
    }

    private List<String> raw(String... lines) throws ConfigException {
        Path file = new ConfigFiles(dir).write(lines);
        Problems problems = new Problems();
        Loaded loaded = ConfigLoader.load(file, problems);
        problems.throwIfAny();
        return loaded.dump();
    }

    @Test
    void originsStartInOneColumnUnlessAValueIsLonger() throws Exception {
        List<String> lines = raw("server.a.listen = 1", "server.a.proxy_pass = h:1");
        assertTrue(lines.contains("  proxy_timeout = 10m" + " ".repeat(27) + "# default"), String.join("\n", lines));
        assertTrue(lines.contains("  proxy_ssl_trusted_certificate = (the JDK's default CAs)   # default"), String.join("\n", lines));
        assertTrue(lines.stream().filter(l -> l.startsWith("  ") && l.indexOf(" = (the JDK") < 0)
                .allMatch(l -> l.indexOf("# ") == 48), String.join("\n", lines));
    }

    @Test
    void everyValueWithWhereItWasSet() throws Exception {
        List<String> lines = dump(
                "upstream.backend = 127.0.0.1:9, 127.0.0.1:10 weight=2",
                "proxy_connect_timeout = 5s",
                "error_log = logs/error.log",
                "log_format.json = escape=json {\"a\":\"$remote_addr\"}",
                "server.main.listen = 12345",
                "server.main.proxy_pass = backend",
                "server.main.proxy_ssl = on",
                "server.main.proxy_ssl_password_file = secret/passphrases",
                "server.main.proxy_ssl_conf_command = Ciphersuites TLS_AES_256_GCM_SHA384",
                "server.main.proxy_ssl_conf_command = Groups X25519");
        assertEquals("# the effective configuration of FILE; after each value, where it was set (FILE:LINE) or default",
                lines.get(0));
        assertEquals(List.of(
                "error_log = DIR/logs/error.log error   # FILE:3",
                "access_log = stdout main   # default",
                "shutdown_timeout = 30s   # default",
                "tls_reload_interval = 10s   # default",
                "admin_listen = off   # default",
                "admin_allow = 127.0.0.1, ::1   # default",
                "resolver_valid = 30s   # default",
                "log_format.main = " + Logs.MAIN_FORMAT + "   # default",
                "log_format.json = escape=json {\"a\":\"$remote_addr\"}   # FILE:4",
                "upstream.backend = 127.0.0.1:9, 127.0.0.1:10 weight=2   # FILE:1",
                "",
                "server main",
                "  listen = 12345   # FILE:5",
                "  proxy_pass = backend   # FILE:6",
                "  proxy_connect_timeout = 5s   # FILE:2",
                "  proxy_timeout = 10m   # default"), lines.subList(1, 17));
        assertTrue(lines.contains("  health_check = off   # default"), String.join("\n", lines));
        assertTrue(lines.contains("  proxy_ssl = on   # FILE:7"), String.join("\n", lines));
        assertTrue(lines.contains("  proxy_ssl_password_file = DIR/secret/passphrases   # FILE:8"), String.join("\n", lines));
        assertTrue(lines.contains("  proxy_ssl_trusted_certificate = (the JDK's default CAs)   # default"), String.join("\n", lines));
        assertTrue(lines.contains("  proxy_ssl_name = (the chosen server's host)   # default"), String.join("\n", lines));
        assertTrue(lines.contains("  proxy_ssl_certificate = (none)   # default"), String.join("\n", lines));
        assertEquals(List.of(
                "  proxy_ssl_conf_command = Ciphersuites TLS_AES_256_GCM_SHA384   # FILE:9",
                "  proxy_ssl_conf_command = Groups X25519   # FILE:10"),
                lines.stream().filter(l -> l.contains("proxy_ssl_conf_command")).toList());
    }

    @Test
    void aBlockShowsItsOwnValueOverTheInheritedOneAndEveryBlockIsListed() throws Exception {
        List<String> lines = dump("proxy_timeout = 1m", "server.a.listen = 1", "server.a.proxy_pass = h:1",
                "server.b.listen = 2", "server.b.proxy_pass = h:1", "server.b.proxy_timeout = 2m");
        assertEquals(List.of("  proxy_timeout = 1m   # FILE:1",
                        "  proxy_timeout = 2m   # FILE:6"),
                lines.stream().filter(l -> l.contains("proxy_timeout")).toList());
        assertEquals(List.of("server a", "server b"), lines.stream().filter(l -> l.startsWith("server ")).toList());
    }

    @Test
    void accessRulesInFileOrderOwnOrInheritedAsAWhole() throws Exception {
        List<String> lines = dump("allow = 10.0.0.0/8", "deny = all",
                "server.a.listen = 1", "server.a.proxy_pass = h:1",
                "server.b.listen = 2", "server.b.proxy_pass = h:1",
                "server.b.deny = 10.0.0.1", "server.b.allow = 10.0.0.0/8, ::1", "server.b.limit_conn_per_addr = 10",
                "server.c.listen = 3", "server.c.proxy_pass = h:1");
        assertEquals(List.of(
                        "  allow = 10.0.0.0/8   # FILE:1", "  deny = all   # FILE:2",
                        "  deny = 10.0.0.1   # FILE:7", "  allow = 10.0.0.0/8, ::1   # FILE:8",
                        "  allow = 10.0.0.0/8   # FILE:1", "  deny = all   # FILE:2"),
                lines.stream().filter(l -> l.startsWith("  allow") || l.startsWith("  deny")).toList());
        assertEquals(List.of("  limit_conn_per_addr = (none: no limit)   # default",
                        "  limit_conn_per_addr = 10   # FILE:9",
                        "  limit_conn_per_addr = (none: no limit)   # default"),
                lines.stream().filter(l -> l.startsWith("  limit_conn_per_addr")).toList());
        assertEquals("  allow = (none: every client)   # default",
                dump("server.a.listen = 1", "server.a.proxy_pass = h:1").stream()
                        .filter(l -> l.startsWith("  allow")).findFirst().orElseThrow());
    }

    @Test
    void valuesStayOnOneLine() throws Exception {
        List<String> lines = dump("server.a.listen = 1", "server.a.proxy_pass = h:1", "log_format.x = $status\\u2028$msec");
        assertTrue(lines.contains("log_format.x = $status\\u2028$msec   # FILE:3"), String.join("\n", lines));
    }

    @Test
    void aHealthCheckTextIsShownWithTheFilesEscapes() throws Exception {
        List<String> lines = dump("server.a.listen = 1", "server.a.proxy_pass = h:1",
                "health_check = interval=1s send=\"PING\\r\\n\"");
        assertTrue(lines.contains("  health_check = interval=1s send=\"PING\\r\\n\"   # FILE:3"), String.join("\n", lines));
    }

    @Test
    void noDumpWhenTheFileHasErrors() throws Exception {
        Path file = new ConfigFiles(dir).write("server.a.listen = 1", "server.a.proxy_pass = h:1", "proxy_timeout = soon");
        Problems problems = new Problems();
        assertEquals(List.of(), ConfigLoader.load(file, problems).dump());
        assertEquals(1, problems.list().size());
    }
}
