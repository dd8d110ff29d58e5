import java.io.InputStream;
import java.util.function.Consumer;

/** Does nothing but answer: what remains of a run is the cost of starting and speaking the protocol. */
public final class Noop {
    public static void main(String[] args) throws Exception {
        InputStream in = System.in;
        while (in.read() >= 0) { }
        handle("", line -> {
            System.out.println(line);
            System.out.flush();
        });
    }

    public static void handle(String request, Consumer<String> emit) {
        emit.accept("{\"result\":{\"ok\":true}}");
    }
}
