import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Answers with n after sleepMs; with lateLogMs, leaves a thread that logs that long after the job ended. */
public final class EmitsLate {
    public static void handle(String request, Consumer<String> emit) throws InterruptedException {
        long n = number(request, "n");
        long late = number(request, "lateLogMs");
        if (late > 0) {
            new Thread(() -> {
                try {
                    Thread.sleep(late);
                } catch (InterruptedException e) {
                    return;
                }
                emit.accept("{\"log\":\"late from job " + n + "\"}");
            }).start();
        }
        Thread.sleep(number(request, "sleepMs"));
        emit.accept("{\"result\":{\"n\":" + n + "}}");
    }

    private static long number(String json, String name) {
        Matcher match = Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)").matcher(json);
        return match.find() ? Long.parseLong(match.group(1)) : 0;
    }
}
