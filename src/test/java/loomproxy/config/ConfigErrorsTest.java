package loomproxy.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConfigErrorsTest {
    @TempDir
    Path dir;

    private List<String> errors(String... lines) {
        return new ConfigFiles(dir).errors(lines);
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsLine() {
        Path file = new ConfigFiles(dir).write(
                "proxy_ssl_verfy = on",
                "proxy_timeout = 10x",
                "server.main.listen = 12345",
                "server.main.proxy_pass = backend",
                "server.main.proxy_ssl_verify_depth = -1");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of(
                file + ":1: proxy_ssl_verfy: unknown directive, did you mean proxy_ssl_verify?",
                file + ":2: proxy_timeout: invalid time \"10x\", use a form such as 500ms, 10s, 5m, 1h, 1d or 1m30s;"
                        + " a bare number is seconds",
                file + ":4: server.main.proxy_pass: no upstream \"backend\"; define upstream.backend = host:port, ..."
                        + " or write host:port",
                file + ":5: server.main.proxy_ssl_verify_depth: invalid number \"-1\", a whole number >= 0 is expected"),
                e.getMessage().lines().toList());
    }

    @Test
    void unknownKeysSuggestTheNearestKnownKeyInTheirPlace() {
        assertEquals(List.of(
                "1: server.main.proxy_ssl_verfy: unknown directive, did you mean server.main.proxy_ssl_verify?",
                "2: sever.main.listen: unknown directive, did you mean server.main.listen?",
                "3: proxy_banana: unknown directive",
                "4: upstream.b.health: unknown directive; the servers of a group are written upstream.b = host:port, ..."),
                errors("server.main.proxy_ssl_verfy = on", "sever.main.listen = 1", "proxy_banana = 1",
                        "upstream.b.health = x", "server.main.listen = 1", "server.main.proxy_pass = h:1"));
    }

    @Test
    void keysInTheWrongPlaceSayWhereTheyBelong() {
        assertEquals(List.of(
                "1: listen: only valid in a server block; write server.NAME.listen",
                "2: proxy_pass: only valid in a server block; write server.NAME.proxy_pass",
                "3: server.main.error_log: only valid at top level; write error_log without the server.main. prefix",
                "4: server.main.log_format.x: only valid at top level; write log_format.x without the server.main. prefix",
                "5: upstream: write upstream.NAME = host:port, ...",
                "6: log_format: write log_format.NAME = text",
                "7: server.main: a server key is server.NAME.KEY, such as server.main.listen",
                "8: server.a b.listen: invalid name \"a b\", use letters, digits, _ and -"),
                errors("listen = 1", "proxy_pass = h:1", "server.main.error_log = stderr", "server.main.log_format.x = $status",
                        "upstream = a:1", "log_format = $status", "server.main = 1", "server.a\\ b.listen = 1",
                        "server.main.listen = 1", "server.main.proxy_pass = h:1"));
    }

    @Test
    void healthCheckBelongsToServerBlocksAndResolverValidToTheTopLevel() {
        assertEquals(List.of("1: upstream.b.health_check: not valid in an upstream; set it in the server block that"
                        + " proxies to upstream b (server.NAME.health_check), or at top level for every block",
                        "2: server.m.resolver_valid: only valid at top level; write resolver_valid without the server.m. prefix",
                        "3: resolver_valid: invalid value \"0\", it must be greater than 0",
                        "4: server.m.health_check: invalid parameter \"every=5s\" in \"every=5s\", use on, off or"
                        + " interval=T timeout=T fails=N passes=N port=N send=TEXT expect=TEXT|~REGEX"),
                errors("upstream.b.health_check = interval=5s", "server.m.resolver_valid = 5s", "resolver_valid = 0",
                        "server.m.health_check = every=5s", "upstream.b = a:1", "server.m.listen = 1", "server.m.proxy_pass = b"));
    }

    /** NGINX's resolver directives come along in a translated configuration: they say what to do instead. */
    @Test
    void nginxResolverDirectivesSayWhatToDoInstead() {
        assertEquals(List.of("1: resolver: not a loomproxy directive; loomproxy looks names up with the system's resolver"
                        + " (/etc/resolv.conf, /etc/hosts), not with DNS servers of its own: remove it, and write its valid="
                        + " as resolver_valid (default 30s)",
                        "2: server.m.resolver_timeout: not a loomproxy directive; the system resolver's own timeout applies"
                        + " (options timeout: in /etc/resolv.conf): remove it"),
                errors("resolver = 10.0.0.2 valid=10s", "server.m.resolver_timeout = 5s", "upstream.b = a:1 resolve",
                        "server.m.listen = 1", "server.m.proxy_pass = b"));
    }

    /** NGINX's limit_conn_zone and its two-word limit_conn say what to write here (QA). */
    @Test
    void nginxConnectionLimitFormsSayWhatToWrite() {
        assertEquals(List.of("1: limit_conn_zone: not a loomproxy directive; loomproxy has no zones: remove it, and write"
                        + " limit_conn = N for the block's connections or limit_conn_per_addr = N for each client address's"
                        + " ($binary_remote_addr)",
                        "2: limit_conn: invalid value \"addr 1\": NGINX's form ZONE N names a limit_conn_zone; here write"
                        + " limit_conn = N (the block's connections) or limit_conn_per_addr = N (each client address's)"),
                errors("limit_conn_zone = $binary_remote_addr zone=addr:10m", "limit_conn = addr 1",
                        "server.m.listen = 1", "server.m.proxy_pass = h:1"));
    }

    /** Keys a user brings from NGINX, or remembers short, name the loomproxy key (QA: proxy_ssl_key suggested proxy_ssl_crl). */
    @Test
    void nginxAndShortenedNamesSuggestTheKeyMeant() {
        assertEquals(List.of(
                "1: proxy_ssl_key: unknown directive, did you mean proxy_ssl_certificate_key?",
                "2: proxy_ssl_cert: unknown directive, did you mean proxy_ssl_certificate?",
                "3: proxy_ssl_password: unknown directive, did you mean proxy_ssl_password_file?",
                "4: proxy_ssl_trusted_ca: unknown directive, did you mean proxy_ssl_trusted_certificate?",
                "5: proxy_read_timeout: unknown directive, did you mean proxy_timeout?",
                "6: server.m.ssl_protocols: unknown directive, did you mean server.m.proxy_ssl_protocols?",
                "7: ssl_ciphers: unknown directive, did you mean proxy_ssl_ciphers?"),
                errors("proxy_ssl_key = k.pem", "proxy_ssl_cert = c.pem", "proxy_ssl_password = p", "proxy_ssl_trusted_ca = ca.pem",
                        "proxy_read_timeout = 5s", "server.m.ssl_protocols = TLSv1.3", "ssl_ciphers = HIGH",
                        "server.m.listen = 1", "server.m.proxy_pass = h:1"));
    }

    /** NGINX terminates TLS on listen with these; loomproxy never does (README: the client side is plain TCP). */
    @Test
    void serverSideTlsKeysSayTheClientSideIsPlainTcp() {
        String why = "not a loomproxy directive; loomproxy accepts plain TCP from clients and never terminates TLS;"
                + " it speaks TLS only to the upstream (proxy_ssl_certificate is the client certificate it presents"
                + " there): remove it, and terminate client TLS in front of loomproxy";
        assertEquals(List.of("1: ssl_certificate: " + why, "2: server.m.ssl_certificate_key: " + why),
                errors("ssl_certificate = s.crt", "server.m.ssl_certificate_key = s.key",
                        "server.m.listen = 1", "server.m.proxy_pass = h:1"));
    }

    /** NGINX habits: unix: sockets, the server keyword, quoted values. Each says what to write instead. */
    @Test
    void nginxHabitsSayWhatToWriteInstead() {
        assertEquals(List.of(
                "1: upstream.u: unix-domain sockets such as \"unix:/tmp/x.sock\" are not supported; use host:port"
                        + " (in \"unix:/tmp/x.sock weight=2\")",
                "2: upstream.backend: drop NGINX's \"server\" keyword: write 127.0.0.1:41001 (servers are host:port"
                        + " [parameters], separated by commas) (in \"server 127.0.0.1:41001\")",
                "3: server.m.listen: unix-domain sockets such as \"unix:/tmp/y.sock\" are not supported; use [address:]port",
                "4: server.m.proxy_pass: unix-domain sockets such as \"unix:/tmp/x.sock\" are not supported; use host:port",
                "5: server.m.proxy_ssl_certificate: the value \"../pki/cli.crt\" is in quotes, which a properties file"
                        + " keeps as part of it; write ../pki/cli.crt without them",
                "6: proxy_ssl_ciphers: the value 'HIGH:!aNULL' is in quotes, which a properties file keeps as part of it;"
                        + " write HIGH:!aNULL without them"),
                errors("upstream.u = unix:/tmp/x.sock weight=2", "upstream.backend = server 127.0.0.1:41001",
                        "server.m.listen = unix:/tmp/y.sock", "server.m.proxy_pass = unix:/tmp/x.sock",
                        "server.m.proxy_ssl_certificate = \"../pki/cli.crt\"", "proxy_ssl_ciphers = 'HIGH:!aNULL'",
                        "log_format.quoted = \"$remote_addr\""));
    }

    /** A misspelt block name makes a block of its own; what it lacks is reported with the block meant. */
    @Test
    void aBlockMissingListenOrProxyPassSuggestsTheBlockMeant() {
        assertEquals(List.of(
                "3: server.mian: listen is required; add server.mian.listen = [address:]port, or did you mean server.main?",
                "3: server.mian: proxy_pass is required; add server.mian.proxy_pass = NAME or host:port,"
                        + " or did you mean server.main?"),
                errors("server.main.listen = 1", "server.main.proxy_pass = h:1", "server.mian.proxy_timeout = 5s"));
    }

    @Test
    void duplicateKeysNameTheFirstOccurrence() {
        Path file = new ConfigFiles(dir).write("proxy_ssl = on", "server.m.listen = 1", "server.m.proxy_pass = h:1",
                "proxy_ssl = off", "server.m.listen = 2", "upstream.u = a:1", "upstream.u = b:1");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of(file + ":4: proxy_ssl: duplicate key, first set at " + file + ":1",
                file + ":5: server.m.listen: duplicate key, first set at " + file + ":2",
                file + ":7: upstream.u: duplicate key, first set at " + file + ":6"), e.getMessage().lines().toList());
    }

    @Test
    void trailingCommentIsAnInvalidValue() {
        assertEquals(List.of("3: server.m.proxy_ssl_verify: invalid value \"on # verify the upstream\""
                        + " (comments must be on their own line)",
                "4: server.m.proxy_ssl_certificate: invalid value \"a.pem #client\" (comments must be on their own line)"),
                errors("server.m.listen = 1", "server.m.proxy_pass = h:1", "server.m.proxy_ssl_verify = on # verify the upstream",
                        "server.m.proxy_ssl_certificate = a.pem #client", "server.m.proxy_ssl_crl = crl#1.pem"));
    }

    /**
     * nginx.conf habits: every value ends in ";". Each is an error (a ";" is part of the value in a
     * properties file), the explanation comes once, and no suggestion is a key with a ";" in it.
     */
    @Test
    void trailingSemicolonsAreExplainedOncePerFile() {
        assertEquals(List.of(
                        "1: upstream.backend: invalid value \"127.0.0.1:9;\": values end at the line's end; remove the \";\"",
                        "2: server.main.listen: invalid value \"12345;\", remove the \";\"",
                        "3: server.main.proxy_pass: invalid value \"backend;\", remove the \";\"",
                        "4: proxy_ssl: invalid value \"on;\", remove the \";\"",
                        "5: proxy_ssl_session_reuse;: unknown directive, remove the \";\"",
                        "6: proxy_ssl_certificate: invalid value \"/etc/ssl/client.crt;\", remove the \";\"",
                        "7: log_format.x: invalid value \"$remote_addr;\", remove the \";\""),
                errors("upstream.backend = 127.0.0.1:9;", "server.main.listen = 12345;", "server.main.proxy_pass = backend;",
                        "proxy_ssl on;", "proxy_ssl_session_reuse;", "proxy_ssl_certificate /etc/ssl/client.crt;  ",
                        "log_format.x = $remote_addr;"));
    }

    @Test
    void noSuggestionIsAKeyThatCannotBe() {
        assertEquals(List.of("1: servr.main.li;sten: unknown directive",
                        "2: server.main.proxy_pass: no upstream \"back;end\"; name a group (letters, digits, _ and -)"
                                + " or write host:port"),
                errors("servr.main.li;sten = 1", "server.main.proxy_pass = back;end", "server.main.listen = 1"));
    }

    @Test
    void continuedValueIsReportedAtItsFirstLine() {
        assertEquals(List.of("2: upstream.b: invalid number \"0\", a whole number >= 1 is expected (in \"c:3 weight=0\")"),
                errors("server.m.listen = 1", "upstream.b = a:1, \\", "    b:2, \\", "    c:3 weight=0",
                        "server.m.proxy_pass = b"));
    }

    @Test
    void invalidInheritedValueIsReportedOnceAtItsOwnLine() {
        assertEquals(List.of("1: proxy_buffer_size: invalid size \"16q\", use a form such as 512, 16k or 1m"),
                errors("proxy_buffer_size = 16q", "server.a.listen = 1", "server.a.proxy_pass = h:1",
                        "server.b.listen = 2", "server.b.proxy_pass = h:1"));
    }

    @Test
    void listenAndProxyPassAreRequired() {
        assertEquals(List.of("1: server.m: listen is required; add server.m.listen = [address:]port",
                        "2: server.n: proxy_pass is required; add server.n.proxy_pass = NAME or host:port"),
                errors("server.m.proxy_pass = h:1", "server.n.listen = 1"));
    }

    @Test
    void anInvalidRequiredValueIsNotAlsoReportedMissing() {
        assertEquals(List.of("1: server.m.listen: invalid port \"65536\" in \"65536\", it must be 1..65535",
                        "2: server.m.proxy_pass: invalid value \"a b\", one word without spaces is expected"),
                errors("server.m.listen = 65536", "server.m.proxy_pass = a b"));
    }

    @Test
    void proxyPassToABrokenGroupReportsOnlyTheGroup() {
        assertEquals(List.of("1: upstream.b: no port in \"a\", write host:port or [IPv6]:port"),
                errors("upstream.b = a", "server.m.listen = 1", "server.m.proxy_pass = b"));
    }

    @Test
    void twoBlocksOnOneAddressAndPort() {
        Path file = new ConfigFiles(dir).write("server.a.listen = 1, 127.0.0.1:2", "server.a.proxy_pass = h:1",
                "server.b.listen = *:1", "server.b.proxy_pass = h:1");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ":3: server.b.listen: duplicate listen address 0.0.0.0:1, already used by server.a.listen at "
                + file + ":1", e.getMessage());
    }

    /** QA: listen 41081 beside 127.0.0.1:41081 passed --check, then failed at start as "another process listens there". */
    @Test
    void aWildcardBesideAnAddressOfTheSamePortIsRefusedBeforeBinding() {
        Path file = new ConfigFiles(dir).write("server.a.listen = 127.0.0.1:41081, [::1]:41081", "server.a.proxy_pass = h:1",
                "server.b.listen = 41081, 127.0.0.1:41082", "server.b.proxy_pass = h:1",
                "server.c.listen = 127.0.0.1:41083 reuseport", "server.c.proxy_pass = h:1",
                "server.d.listen = 41083 reuseport", "server.d.proxy_pass = h:1");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ":3: server.b.listen: 0.0.0.0:41081 takes every address of port 41081, so 127.0.0.1:41081 of"
                + " server.a.listen at " + file + ":1 cannot bind beside it (NGINX would bind only the wildcard and choose the"
                + " block by the address connected to; loomproxy binds each): give the two blocks different ports, or list"
                + " addresses only", e.getMessage(), "one problem: [::1] is not IPv4, and two reuseport entries may share");
    }

    @Test
    void protocolsAndLogs() {
        assertEquals(List.of("1: proxy_ssl_protocols: invalid value \"TLSv1.4\", it must be one of SSLv3 TLSv1 TLSv1.1 TLSv1.2 TLSv1.3",
                        "2: error_log: invalid log level \"verbose\", use debug, info, notice, warn, error, crit, alert or emerg",
                        "3: log_format.x: unknown variable $nope, $upstream (known: $bytes_received $bytes_sent"
                                + " $connection $msec $remote_addr $remote_port $server_addr $server_port $session_time"
                                + " $status $time_iso8601 $time_local $upstream_addr $upstream_bytes_received"
                                + " $upstream_bytes_sent $upstream_connect_time $upstream_session_time"
                                + " $upstream_ssl_cipher $upstream_ssl_name $upstream_ssl_protocol"
                                + " $upstream_ssl_session_reused $upstream_ssl_verify)",
                        "4: log_format.main: \"main\" is the built-in format; choose another name",
                        "5: access_log: unknown log format \"combined\"; define log_format.combined = text or use main"),
                errors("proxy_ssl_protocols = TLSv1.4", "error_log = stderr verbose", "log_format.x = $nope ${upstream}",
                        "log_format.main = $status", "access_log = stdout combined",
                        "server.m.listen = 1", "server.m.proxy_pass = h:1"));
    }

    @Test
    void logFormatEscapingAsNginx() {
        assertEquals(List.of(
                        "1: log_format.a: unknown log format escaping \"xml\", use escape=default, escape=json or escape=none",
                        "2: log_format.b: no format after escape=json; write escape=json TEXT",
                        "3: log_format.c: unknown variable $nope (known: $bytes_received $bytes_sent $connection $msec"
                                + " $remote_addr $remote_port $server_addr $server_port $session_time $status"
                                + " $time_iso8601 $time_local $upstream_addr $upstream_bytes_received"
                                + " $upstream_bytes_sent $upstream_connect_time $upstream_session_time"
                                + " $upstream_ssl_cipher $upstream_ssl_name $upstream_ssl_protocol"
                                + " $upstream_ssl_session_reused $upstream_ssl_verify)"),
                errors("log_format.a = escape=xml $status", "log_format.b = escape=json", "log_format.c = escape=none $nope",
                        "log_format.d = escape=json {\"s\":$status}", "server.m.listen = 1", "server.m.proxy_pass = h:1"));
    }

    @Test
    void logTargetsThisVersionCannotWriteTo() {
        assertEquals(List.of("1: error_log: \"syslog:server=x\" is not supported by this version of loomproxy;"
                        + " use stderr or a file path",
                        "2: access_log: invalid value \"/x.log main buffer=32k\", use off or stdout|FILE [FORMAT]"
                        + " (buffer=, gzip, flush= and if= are not supported by this version of loomproxy)"),
                errors("error_log = syslog:server=x", "access_log = /x.log main buffer=32k",
                        "server.m.listen = 1", "server.m.proxy_pass = h:1"));
    }

    @Test
    void emptyValuesAndKeys() {
        assertEquals(List.of("1: proxy_ssl: empty value; give a value or remove the line",
                        "2: : empty key; a line is KEY = VALUE"),
                errors("proxy_ssl =", "= on", "server.m.listen = 1", "server.m.proxy_pass = h:1"));
    }

    /** A problem with the whole file has no line and no key to name: FILE: message, not FILE:0: config: message. */
    @Test
    void emptyFileHasNoServerBlock() {
        assertEquals(List.of("FILE: no server block; add server.NAME.listen and server.NAME.proxy_pass"),
                new ConfigFiles(dir).output("# nothing here"));
    }

    @Test
    void unreadableFileNamesTheOsReason() {
        Path missing = dir.resolve("missing.properties");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));
        assertEquals(missing + ": cannot read the configuration file: No such file or directory", e.getMessage());
        ConfigException d = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir));
        assertEquals(1, d.problems().size());
        assertEquals(dir + ": cannot read the configuration file: Is a directory", d.getMessage());
    }

    @Test
    void bytesThatAreNotUtf8AreReportedWithTheirLine() throws Exception {
        Path file = dir.resolve("latin1.properties");
        Files.write(file, new byte[] {'a', '=', '1', '\n', 'b', '=', (byte) 0xE9, '\n'});
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ":2: config: not valid UTF-8; save the file as UTF-8", e.getMessage());
    }
}
