package loomproxy.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The JDKs installed beside the one running the tests (Debian's /usr/lib/jvm), by feature version. */
public final class Jdks {
    private static final Path JVM_DIR = Path.of("/usr/lib/jvm");
    private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(?:1\\.)?(\\d+)");

    private Jdks() {
    }

    /** The java of the newest installed JDK older than {@code feature}, if there is one. */
    public static Optional<Path> olderThan(int feature) throws IOException {
        if (!Files.isDirectory(JVM_DIR)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(JVM_DIR)) {
            List<Path> found = homes.filter(home -> Files.isExecutable(home.resolve("bin/java")))
                    .filter(home -> feature(home) > 0 && feature(home) < feature)
                    .sorted(Comparator.comparingInt(Jdks::feature).reversed())
                    .toList();
            return found.stream().findFirst().map(home -> home.resolve("bin/java"));
        }
    }

    /** The feature version in HOME/release, 0 when it cannot be read. */
    public static int feature(Path home) {
        try {
            Matcher m = VERSION.matcher(Files.readString(home.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
