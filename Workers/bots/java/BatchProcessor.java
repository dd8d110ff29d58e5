import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Processes a batch of N generated records: validates each, sums the valid amounts and counts rejects.
 * Protocol: one JSON request on stdin; JSON lines on stdout (progress, log, then result or error).
 * payload.records sets N, payload.durationMs stretches the work, payload.fail simulates errors.
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
        int records = intField(request, "records", 1000);
        int durationMs = intField(request, "durationMs", 300);
        String fail = stringField(request, "fail");

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

    private static int intField(String json, String name, int fallback) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)").matcher(json);
        return m.find() ? Integer.parseInt(m.group(1)) : fallback;
    }

    private static String stringField(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }
}
