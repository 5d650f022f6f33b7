package io.mizzen.kernel.pilot;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The operator commands' client of {@link ControlPlaneApi}. Blocking: used only on the command
 * line's own thread, never on an event loop.
 */
final class ControlPlaneClient {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  ControlPlaneClient(String hostPort) {
    if (!hostPort.matches("[^:\\s/]+:\\d{1,5}")) {
      throw new IllegalArgumentException("--control-plane: '" + hostPort + "' is not host:port");
    }
    this.base = "http://" + hostPort;
  }

  /** The answer of one call: its status and its body. */
  record Answer(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  Answer get(String pathAndQuery) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET());
  }

  Answer post(String path, String origin, String yaml) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path + "?origin=" + encode(origin)))
        .header("content-type", "application/yaml").POST(HttpRequest.BodyPublishers.ofString(yaml)));
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
    try {
      HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (java.net.ConnectException e) {
      throw new IOException("cannot reach the control plane at " + base + " (is it running? see --control-plane)", e);
    }
  }
}
