package dev.sluice.core.time;

import static java.util.Objects.requireNonNull;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The deadlines of one event loop (request, response and head timeouts, idle connections) on a
 * hashed timing wheel: starting or stopping a {@link Timeout} is a few pointer writes, where a task
 * scheduled on the loop per request costs a priority-queue insert and removal each. One driver task,
 * every {@code tick} while any timeout is pending, expires the buckets whose time has come, so a
 * timeout fires up to one tick late, never early. The driver stops when the wheel is empty and
 * starts again with the next timeout, so an idle loop is not woken.
 *
 * <p>Time is measured from the wheel's creation with its {@link Ticker}, as differences, so it
 * does not care where the ticker starts. Event-loop confined: {@link Timeout#start} and
 * {@link Timeout#stop} are called on the wheel's loop.
 */
public final class TimerWheel {

    /** The tick of the wheels Sluice runs: 10 ms, as coarse as a timeout of seconds needs and no coarser. */
    public static final long DEFAULT_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final System.Logger LOG = System.getLogger(TimerWheel.class.getName());
    private static final int BUCKETS = 1024; // 10.24 s a turn at 10 ms; a later deadline waits out its turns

    private final EventExecutor loop;
    private final Ticker ticker;
    private final long tickNanos;
    private final long origin;
    private final Timeout[] heads = new Timeout[BUCKETS];
    private final Runnable driverTask = this::drive;
    /** The last tick whose bucket has been expired. */
    private long expiredTick;
    private int pending;
    private @Nullable ScheduledFuture<?> driver;

    public TimerWheel(EventExecutor loop, Ticker ticker, long tickNanos) {
        if (tickNanos <= 0) {
            throw new IllegalArgumentException("tickNanos must be > 0: " + tickNanos);
        }
        this.loop = requireNonNull(loop, "loop");
        this.ticker = requireNonNull(ticker, "ticker");
        this.tickNanos = tickNanos;
        this.origin = ticker.nanoTime();
    }

    /** The loop whose timeouts this wheel keeps. */
    public EventExecutor loop() {
        return loop;
    }

    /** Timeouts started and not yet fired or stopped. */
    public int pending() {
        return pending;
    }

    /**
     * A clock as coarse as the wheel: nanoseconds since the wheel was made, as of the last tick
     * expired. Only moves while a timeout is pending (an owner that reads it keeps one), and costs a
     * field read where the ticker costs a clock call.
     */
    public long coarseNanos() {
        return expiredTick * tickNanos;
    }

    /** Whether the driver task is scheduled on the loop. */
    boolean driving() {
        return driver != null;
    }

    /** A reusable timeout that runs {@code task} on the loop when it expires. */
    public Timeout newTimeout(Runnable task) {
        return new Timeout(this, task);
    }

    /**
     * Fires every timeout whose deadline has passed by the ticker's reading now; the driver calls
     * it each tick, a test calls it after moving a fake ticker.
     */
    public void expireDue() {
        long now = tick(ticker.nanoTime());
        if (now - expiredTick > BUCKETS) {
            expiredTick = now - BUCKETS; // the loop stalled for a whole turn: each bucket once is enough
        }
        while (expiredTick < now) {
            expiredTick++;
            expireBucket(expiredTick);
        }
    }

    private void expireBucket(long tick) {
        int b = (int) (tick & (BUCKETS - 1));
        Timeout t = heads[b];
        while (t != null) {
            Timeout next = t.next;
            if (t.deadlineTick <= tick) {
                unlink(t);
                run(t); // may start or stop others: `next` is re-read below when it was unlinked
                if (next != null && next.bucket != b) {
                    next = heads[b];
                }
            }
            t = next;
        }
    }

    /** Runs one expired task; a task that throws is logged and the others still run (the driver must not die with it). */
    private static void run(Timeout t) {
        try {
            t.task.run();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "a timeout's task failed", e);
        }
    }

    private long tick(long nanos) {
        return (nanos - origin) / tickNanos;
    }

    private void drive() {
        expireDue();
        if (pending == 0 && driver != null) {
            driver.cancel(false);
            driver = null;
        }
    }

    private void link(Timeout t, long delayNanos) {
        long now = ticker.nanoTime();
        long due = tick(now) + Math.max(1, (delayNanos + tickNanos - 1) / tickNanos);
        if (pending == 0 && driver == null) {
            expiredTick = tick(now); // nothing was waiting: the buckets behind now are empty
            driver = loop.scheduleAtFixedRate(driverTask, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
        }
        if (due <= expiredTick) {
            due = expiredTick + 1;
        }
        int b = (int) (due & (BUCKETS - 1));
        t.deadlineTick = due;
        t.bucket = b;
        t.prev = null;
        t.next = heads[b];
        if (t.next != null) {
            t.next.prev = t;
        }
        heads[b] = t;
        pending++;
    }

    private void unlink(Timeout t) {
        if (t.prev != null) {
            t.prev.next = t.next;
        } else {
            heads[t.bucket] = t.next;
        }
        if (t.next != null) {
            t.next.prev = t.prev;
        }
        t.prev = null;
        t.next = null;
        t.bucket = -1;
        pending--;
    }

    /**
     * One deadline of one owner (a connection, an exchange), started and stopped as often as it
     * needs without allocating. Event-loop confined, like its wheel.
     */
    public static final class Timeout {
        private final TimerWheel wheel;
        private final Runnable task;
        private @Nullable Timeout prev;
        private @Nullable Timeout next;
        private int bucket = -1;
        private long deadlineTick;

        private Timeout(TimerWheel wheel, Runnable task) {
            this.wheel = wheel;
            this.task = requireNonNull(task, "task");
        }

        /** Runs the task {@code delayNanos} from now (up to one tick later), replacing a pending start. */
        public void start(long delayNanos) {
            stop();
            wheel.link(this, delayNanos);
        }

        /** The task will not run for the last start; nothing when it has run or was never started. */
        public void stop() {
            if (bucket >= 0) {
                wheel.unlink(this);
            }
        }

        public boolean pending() {
            return bucket >= 0;
        }
    }
}
