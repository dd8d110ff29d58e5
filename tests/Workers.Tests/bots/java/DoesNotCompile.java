/** A bot whose source has a type error: javac refuses it, every time. */
public final class DoesNotCompile {
    public static void main(String[] args) {
        int answer = "forty-two";
        System.out.println("{\"result\":{\"answer\":" + answer + "}}");
    }
}
