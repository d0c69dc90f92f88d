package loomproxy.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One set of JVM options however loomproxy is started: bin/loomproxy's default (which the units and
 * the release use), README.md's {@code java -jar} line (which jmh/compare.sh measures as the java
 * -jar column), and the places that replace the launcher's default and must keep it.
 */
class JvmOptionsTest {
    @Test
    void readmesJavaJarLineHasTheLaunchersOptions() throws IOException {
        String launcher = launcherDefault();
        Matcher line = Pattern.compile("(?m)^java (.*)-jar target/loomproxy\\.jar ").matcher(read("README.md"));
        assertTrue(line.find(), "README.md has no 'java ... -jar target/loomproxy.jar' line (jmh/compare.sh reads it)");
        assertEquals(launcher, line.group(1).strip());
    }

    @Test
    void optionsThatReplaceTheLaunchersDefaultStartWithIt() throws IOException {
        String launcher = launcherDefault();
        assertTrue(read("README.md").contains("LOOMPROXY_JAVA_OPTS=" + launcher + " "), "README's JMX drop-in");
        assertTrue(read("conf/Dockerfile").contains("LOOMPROXY_JAVA_OPTS=\"" + launcher + " "), "conf/Dockerfile");
    }

    private static String launcherDefault() throws IOException {
        Matcher m = Pattern.compile("\\$\\{LOOMPROXY_JAVA_OPTS:-([^}]*)}").matcher(read("bin/loomproxy"));
        assertTrue(m.find(), "bin/loomproxy has no default for LOOMPROXY_JAVA_OPTS");
        return m.group(1).strip();
    }

    private static String read(String file) throws IOException {
        return Files.readString(Path.of(file));
    }
}
