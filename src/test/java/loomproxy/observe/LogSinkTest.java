package loomproxy.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGUSR1's half in the sink: a file is opened again at its path; a failure keeps the old stream. */
class LogSinkTest {
    @TempDir
    Path dir;

    @Test
    void reopenWritesToANewFileAtTheOldPath() throws IOException {
        Path file = dir.resolve("access.log");
        try (LogSink sink = LogSink.append(file)) {
            sink.line("one");
            Files.move(file, dir.resolve("access.log.1"));
            sink.line("two"); // still the renamed file, as logrotate expects until the signal
            sink.reopen();
            sink.line("three");
        }
        assertEquals("one\ntwo\n", Files.readString(dir.resolve("access.log.1")));
        assertEquals("three\n", Files.readString(file));
    }

    @Test
    void aFileThatCannotBeReopenedKeepsItsOldStream() throws IOException {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        try (LogSink sink = LogSink.append(logs.resolve("error.log"))) {
            sink.line("one");
            Files.move(logs, dir.resolve("moved")); // the directory is gone: nothing can be opened there
            IOException e = assertThrows(IOException.class, sink::reopen);
            assertTrue(e.getMessage().startsWith("cannot reopen " + logs.resolve("error.log") + " (No such file or directory)"),
                    e.getMessage());
            sink.line("two");
        }
        assertEquals("one\ntwo\n", Files.readString(dir.resolve("moved/error.log")));
    }

    /**
     * A log that cannot be written (a full disk, a closed pipe) says so on stderr once per failing
     * spell, naming the log, not once per line.
     */
    @Test
    void aFailingLogSaysSoOnceNamingIt() throws IOException {
        PrintStream broken = new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        }, true, StandardCharsets.UTF_8);
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        PrintStream savedErr = System.err;
        System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
        try (LogSink full = LogSink.append(Path.of("/dev/full"))) {
            full.line("one");
            full.line("two");
            LogSink stdout = LogSink.of(broken, "stdout");
            stdout.line("one");
            stdout.line("two");
        } finally {
            System.setErr(savedErr);
        }
        assertEquals("loomproxy: cannot write log lines to /dev/full: No space left on device; lines are lost until it"
                + " works again (free space, or fix the file)\n"
                + "loomproxy: cannot write log lines to stdout: the stream reports an error (a closed pipe?); lines are"
                + " lost until it works again (free space, or fix the file)\n", errBytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aStandardStreamIgnoresReopen() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        LogSink sink = LogSink.of(stream, "stdout");
        sink.reopen();
        sink.close();
        sink.line("still open");
        assertEquals("still open\n", bytes.toString(StandardCharsets.UTF_8));
    }
}
