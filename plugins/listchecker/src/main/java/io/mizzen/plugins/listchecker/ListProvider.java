package io.mizzen.plugins.listchecker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Fetches a list from a provider URL: a JSON array of strings, or plain text with one entry per
 * line ({@code #} comments and blank lines skipped).
 */
final class ListProvider {
  private final HttpClient client;
  private final String url;

  ListProvider(Vertx vertx, String url) {
    this.client = vertx.createHttpClient();
    this.url = url;
  }

  /** The entries; failed when the URL cannot be fetched, answers non-200, or the body is not a list. */
  Future<List<String>> fetch() {
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url))
        // The body is asked for as the response arrives (Vert.x 5.0.7 can lose a late ask's end).
        .compose(req -> req.send().compose(resp -> {
          if (resp.statusCode() != 200) {
            return Future.<Buffer>failedFuture("list provider " + url + " answered " + resp.statusCode());
          }
          return resp.body();
        }))
        .map(this::parse);
  }

  private List<String> parse(Buffer body) {
    String text = body.toString().trim();
    List<String> out = new ArrayList<>();
    if (text.startsWith("[")) {
      JsonArray array;
      try {
        array = new JsonArray(text);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("list provider " + url + " sent a malformed JSON array: " + e.getMessage(), e);
      }
      for (Object o : array) {
        out.add(String.valueOf(o));
      }
      return out;
    }
    for (String line : text.split("\\R")) {
      String e = line.trim();
      if (!e.isEmpty() && !e.startsWith("#")) {
        out.add(e);
      }
    }
    return out;
  }

  Future<Void> close() {
    return client.close();
  }
}
