import dev.cocart.mock.CoCartMock;
import dev.cocart.mock.MockProfile;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Start-up of cocart-mock through dev.cocart:cocart-mock-junit (CoCartMock.start, what the JUnit
 * extension calls) against the binary started directly, in one JVM: each sample is the time from
 * "start" to the answer of the first store request (GET /wp-json/cocart/v2/cart, status 200).
 * Run by packaging/jvm/bench-start.sh; args: [--json] MOCK_BINARY ROUNDS.
 */
public class StartBench {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static void firstRequest(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(
            HttpRequest.newBuilder(URI.create(url + "/wp-json/cocart/v2/cart")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("first request: HTTP " + r.statusCode());
    }

    /** The binary directly: spawn, read the announced URL, first request; then stop it. */
    static double direct(String binary) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(binary, "--port", "0").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String line = out.readLine();
        String url = line.substring(line.indexOf("http://")).trim();
        firstRequest(url);
        double ms = (System.nanoTime() - t0) / 1e6;
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
        return ms;
    }

    /** Through the launcher: CoCartMock.start (copy out of the jar on the first call), first request. */
    static double launcher() throws Exception {
        long t0 = System.nanoTime();
        CoCartMock mock = CoCartMock.start(new MockProfile());
        firstRequest(mock.getUrl());
        double ms = (System.nanoTime() - t0) / 1e6;
        mock.close();
        return ms;
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    public static void main(String[] args) throws Exception {
        boolean json = args[0].equals("--json");
        String binary = args[json ? 1 : 0];
        int rounds = Integer.parseInt(args[json ? 2 : 1]);
        List<Double> viaLauncher = new ArrayList<>();
        List<Double> viaBinary = new ArrayList<>();
        double first = 0;
        // Round 0 warms up (its launcher start also copies the binary out of the jar) and is not
        // counted; then each round runs both arms, in an order that alternates between rounds.
        for (int r = 0; r <= rounds; r++) {
            boolean launcherFirst = r % 2 == 1;
            double a = launcherFirst ? launcher() : direct(binary);
            double b = launcherFirst ? direct(binary) : launcher();
            double l = launcherFirst ? a : b, d = launcherFirst ? b : a;
            if (r == 0) {
                first = l;
            } else {
                viaLauncher.add(l);
                viaBinary.add(d);
            }
        }
        if (json) {
            System.out.println("{\"direct\": " + viaBinary + ", \"launcher\": " + viaLauncher
                + ", \"first_launcher_start\": " + first + "}");
            return;
        }
        double l = median(viaLauncher), d = median(viaBinary);
        System.out.printf(java.util.Locale.ROOT,
            "jvm start-to-first-request: first start in the JVM (copies the binary out of the jar) %.1f ms; "
                + "median of %d: launcher %.1f ms, binary directly %.1f ms, ratio %.2f%n",
            first, rounds, l, d, l / d);
    }
}
