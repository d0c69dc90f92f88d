package loomproxy.testkit;

import java.net.InetAddress;
import java.util.List;
import java.util.function.Function;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import loomproxy.config.ConfigLoader;
import loomproxy.config.Problems;
import loomproxy.config.ProxyConfig;
import loomproxy.observe.AccessLog;
import loomproxy.proxy.Proxy;

/**
 * A real proxy for a test, started from properties text exactly as a user's file would be, with
 * its error and access logs recorded instead of printed.
 */
public final class TestProxy implements AutoCloseable {
    private final Proxy proxy;
    private final Path file;
    private ProxyConfig config;
    private final RecordingLog errors;
    private final RecordingLog access;

    private TestProxy(Proxy proxy, Path file, ProxyConfig config, RecordingLog errors, RecordingLog access) {
        this.proxy = proxy;
        this.file = file;
        this.config = config;
        this.errors = errors;
        this.access = access;
    }

    /** Writes {@code properties} to DIR/loomproxy.properties, loads it, binds and starts. */
    public static TestProxy start(Path dir, String properties) throws Exception {
        return start(dir, properties, null);
    }

    /**
     * As {@link #start(Path, String)}, with upstream names looked up by {@code lookup} (a name's
     * addresses, none when it does not resolve); null: the JDK's resolver.
     */
    public static TestProxy start(Path dir, String properties, Function<String, List<InetAddress>> lookup) throws Exception {
        Path file = dir.resolve("loomproxy.properties");
        Files.writeString(file, properties);
        ProxyConfig config = ConfigLoader.load(file);
        RecordingLog errors = new RecordingLog();
        RecordingLog access = new RecordingLog();
        AccessLog accessLog = AccessLog.compile(config.accessLog().format(), access::add);
        Proxy proxy = lookup == null ? Proxy.prepare(config, errors.errorLog(), accessLog, new Problems())
                : Proxy.prepare(config, errors.errorLog(), accessLog, new Problems(), lookup);
        proxy.start();
        return new TestProxy(proxy, file, config, errors, access);
    }

    /**
     * Rewrites the configuration file and reloads it as SIGHUP does (the logs stay the recording
     * ones); the proxy's problems, if any, are thrown and nothing changes.
     */
    public String reload(String properties) throws Exception {
        Files.writeString(file, properties);
        ProxyConfig next = ConfigLoader.load(file);
        String summary = proxy.reload(next, AccessLog.compile(next.accessLog().format(), access::add), new Problems());
        config = next;
        return summary;
    }

    public Proxy proxy() {
        return proxy;
    }

    public RecordingLog errors() {
        return errors;
    }

    public RecordingLog access() {
        return access;
    }

    /** The first listen address of server block NAME. */
    public InetSocketAddress address(String server) {
        return proxy.addresses().get(server).get(0);
    }

    public int port(String server) {
        return address(server).getPort();
    }

    public Socket connect(String server) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port(server));
        socket.setSoTimeout(60_000); // generous: a loaded 2-core CI machine, 1,000 concurrent handshakes
        return socket;
    }

    /** The admin endpoint's address (admin_listen set in the properties). */
    public InetSocketAddress admin() {
        return proxy.adminAddress().orElseThrow(() -> new AssertionError("admin_listen is not set"));
    }

    /** GET {@code path} from the admin endpoint. */
    public AdminClient.Response adminGet(String path) throws IOException {
        return AdminClient.get(admin(), path);
    }

    @Override
    public void close() {
        proxy.shutdown(Duration.ofSeconds(5));
    }

    public ProxyConfig config() {
        return config;
    }
}
