import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Processes a batch of N generated records: validates each, sums the valid amounts and counts rejects.
 * Protocol: one JSON request on stdin; JSON lines on stdout (progress, log, then result or error).
 * payload.records sets N, payload.durationMs stretches the work, payload.fail simulates errors; a payload field it
 * cannot use fails the job for good, naming the field.
 * handle() does one job, so the warm host can serve many jobs with this class loaded once.
 */
public final class BatchProcessor {
    public static void main(String[] args) throws Exception {
        StringBuilder input = new StringBuilder();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(System.in))) {
            String line;
            while ((line = reader.readLine()) != null) input.append(line);
        }
        handle(input.toString(), line -> {
            System.out.println(line);
            System.out.flush();
        });
    }

    public static void handle(String request, Consumer<String> emit) throws InterruptedException {
        try {
            process(request, emit);
        } catch (BadPayload bad) {
            emit.accept("{\"error\":\"" + jsonEscaped(bad.getMessage()) + "\",\"retryable\":false}");
        }
    }

    /** A payload this bot cannot use: running it again would not help. */
    private static final class BadPayload extends RuntimeException {
        BadPayload(String message) {
            super(message);
        }
    }

    private static void process(String request, Consumer<String> emit) throws InterruptedException {
        int records = wholeNumber(request, "records", 1000, 10_000_000);
        int durationMs = wholeNumber(request, "durationMs", 300, 3_600_000);
        String fail = stringField(request, "fail");
        if ("exception".equals(fail)) throw new IllegalStateException("simulated: a record that is no number");

        long startedAt = System.currentTimeMillis();
        emit.accept("{\"log\":\"processing a batch of " + records + " records\"}");
        long valid = 0, rejected = 0, total = 0;
        int steps = 5;
        for (int step = 1; step <= steps; step++) {
            for (int i = (step - 1) * records / steps; i < step * records / steps; i++) {
                long amount = (i * 7919L) % 1000;
                if (amount % 97 == 0) rejected++; else { valid++; total += amount; }
            }
            Thread.sleep(durationMs / steps);
            emit.accept("{\"progress\":" + (step * 100 / steps) + "}");
            if ("crash".equals(fail) && step == 2) System.exit(5);
        }
        if ("retryable".equals(fail)) { emit.accept("{\"error\":\"the record store is busy\",\"retryable\":true}"); return; }
        if ("permanent".equals(fail)) { emit.accept("{\"error\":\"the batch is invalid\",\"retryable\":false}"); return; }
        emit.accept("{\"result\":{\"records\":" + records + ",\"valid\":" + valid + ",\"rejected\":" + rejected + ",\"total\":" + total
            + ",\"startedAt\":" + startedAt + ",\"finishedAt\":" + System.currentTimeMillis() + "}}");
    }

    private static int wholeNumber(String json, String name, int fallback, int most) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|[^,}\\]\\s]+)").matcher(json);
        if (!m.find()) return fallback;
        String value = m.group(1);
        if (value.matches("\\d{1,10}") && Long.parseLong(value) <= most) return Integer.parseInt(value);
        throw new BadPayload("payload." + name + " must be a whole number from 0 to " + most + ", not " + value);
    }

    private static String jsonEscaped(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static String stringField(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }
}
