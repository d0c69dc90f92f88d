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

    @Test
    void aStandardStreamIgnoresReopen() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        LogSink sink = LogSink.of(stream);
        sink.reopen();
        sink.close();
        sink.line("still open");
        assertEquals("still open\n", bytes.toString(StandardCharsets.UTF_8));
    }
}
