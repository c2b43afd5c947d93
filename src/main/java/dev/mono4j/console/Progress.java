package dev.mono4j.console;

import java.io.PrintStream;

/**
 * A progress bar with rate and ETA on stderr. On a terminal it redraws one line; otherwise (logs, CI)
 * it prints a line at most every few seconds, so long runs stay readable in files.
 */
public final class Progress {
    private static final long LOG_INTERVAL_NANOS = 5_000_000_000L;

    private final String label;
    private final long total;
    private final String unit;
    private final PrintStream out;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastPrint;
    private long done;
    private String status = "";

    public Progress(String label, long total, String unit) {
        this(label, total, unit, System.err, System.console() != null);
    }

    Progress(String label, long total, String unit, PrintStream out, boolean terminal) {
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.out = out;
        this.terminal = terminal;
    }

    /** Advances by {@code n} units and shows {@code status} (e.g. "loss 3.21") after the rate and ETA. */
    public void step(long n, String status) {
        this.status = status.isEmpty() ? "" : " " + status;
        step(n);
    }

    public void step(long n) {
        done += n;
        long now = System.nanoTime();
        if (terminal || now - lastPrint > LOG_INTERVAL_NANOS || done >= total) {
            lastPrint = now;
            out.print((terminal ? "\r" : "") + line(now) + (terminal && done < total ? "" : "\n"));
            out.flush();
        }
    }

    /** Prints {@code message} on a line of its own (on a terminal, below the bar, which is then redrawn). */
    public void note(String message) {
        if (terminal) {
            out.print("\n" + message + "\n" + line(System.nanoTime()));
        } else {
            out.println(message);
        }
        out.flush();
    }

    String line(long now) {
        double secs = Math.max(1e-9, (now - start) / 1e9);
        double rate = done / secs;
        int width = 24;
        int filled = total == 0 ? width : (int) Math.min(width, width * done / total);
        String eta = rate > 0 && done < total ? formatSeconds((total - done) / rate) : "0s";
        return String.format("%-14s [%s%s] %d/%d %.2f %s/s ETA %s%s", label, "#".repeat(filled),
                "-".repeat(width - filled), done, total, rate, unit, eta, status);
    }

    static String formatSeconds(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format("%dh%02dm", t / 3600, t / 60 % 60) : t >= 60 ? String.format("%dm%02ds", t / 60, t % 60)
                : t + "s";
    }
}
