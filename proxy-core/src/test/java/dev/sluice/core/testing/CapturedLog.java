package dev.sluice.core.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Every log record of the process while open (Sluice logs through {@code System.Logger}, here java.util.logging). */
public final class CapturedLog extends Handler implements AutoCloseable {

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private CapturedLog() {
    }

    /** Starts capturing at the root logger. */
    public static CapturedLog start() {
        CapturedLog log = new CapturedLog();
        Logger.getLogger("").addHandler(log);
        return log;
    }

    /** The records of loggers whose name ends with {@code simpleName} (a class's simple name). */
    public List<LogRecord> of(String simpleName) {
        return records.stream().filter(r -> r.getLoggerName() != null && r.getLoggerName().endsWith(simpleName)).toList();
    }

    public List<LogRecord> records() {
        return records;
    }

    @Override
    public void publish(LogRecord r) {
        records.add(r);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
