import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Warm host: loads one bot class once and serves its jobs, one at a time, until stdin closes.
 * Usage: BotHost &lt;BotClass&gt;. Each stdin line is one job's request; the bot's
 * {@code static void handle(String request, Consumer<String> emit)} writes the job's JSON lines to stdout, then the
 * host writes {"jobEnd":n} (n counts the jobs served); what the job's emit is given after that is dropped. A bot that
 * exits or throws ends the host, as it would end a cold run; the runner then starts a new host.
 */
public final class BotHost {
    public static void main(String[] args) throws Exception {
        Method handle = Class.forName(args[0]).getMethod("handle", String.class, Consumer.class);
        PrintStream out = System.out;
        BufferedReader requests = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        long served = 0;
        String request;
        while ((request = requests.readLine()) != null) {
            if (request.isBlank()) continue;
            served++;
            // Closed as the job ends, so work it left running (a thread) cannot write into the next job.
            AtomicBoolean open = new AtomicBoolean(true);
            Consumer<String> emit = line -> {
                synchronized (out) {
                    if (open.get()) {
                        out.println(line);
                        out.flush();
                    }
                }
            };
            try {
                handle.invoke(null, request, emit);
            } catch (InvocationTargetException e) {
                e.getCause().printStackTrace();
                System.exit(1);
            }
            synchronized (out) {
                open.set(false);
                out.println("{\"jobEnd\":" + served + "}");
                out.flush();
            }
        }
    }
}
