package io.mizzen.kernel.inject.webhook;

import io.mizzen.kernel.inject.InjectionException;
import io.mizzen.kernel.inject.SidecarInjector;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link InjectionWebhook} over Vert.x HTTP: decodes the review, injects a copy of the pod, returns the diff. */
final class AdmissionReviewHandler implements InjectionWebhook {

  private static final String API_VERSION = "admission.k8s.io/v1";
  /** Kubernetes caps an object at ~1.5 MiB; anything far beyond is not an AdmissionReview. */
  private static final int MAX_BODY = 8 * 1024 * 1024;

  private final SidecarInjector injector;

  AdmissionReviewHandler(SidecarInjector injector) {
    this.injector = injector;
  }

  @Override
  public void handle(HttpServerRequest request) {
    if (!PATH.equals(request.path())) {
      request.response().setStatusCode(404).end("not found: " + request.path() + " (the webhook serves " + PATH + ")");
      return;
    }
    if (request.method() != HttpMethod.POST) {
      request.response().setStatusCode(405).putHeader("allow", "POST").end("the webhook takes POST");
      return;
    }
    request.body().onComplete(ar -> {
      if (ar.failed()) {
        request.response().setStatusCode(400).end("cannot read the request body: " + ar.cause().getMessage());
        return;
      }
      answer(request, ar.result());
    });
  }

  private void answer(HttpServerRequest request, Buffer body) {
    JsonObject answer;
    try {
      if (body.length() > MAX_BODY) {
        throw new IllegalArgumentException("request body of " + body.length() + " bytes is too large");
      }
      answer = review(new JsonObject(body));
    } catch (DecodeException | IllegalArgumentException | ClassCastException e) {
      request.response().setStatusCode(400).end("not an AdmissionReview: " + e.getMessage());
      return;
    }
    request.response().putHeader("content-type", "application/json").end(answer.toBuffer());
  }

  @Override
  public JsonObject review(JsonObject review) {
    JsonObject request = review.getJsonObject("request");
    if (request == null || request.getString("uid") == null) {
      throw new IllegalArgumentException("missing request.uid");
    }
    if (!API_VERSION.equals(review.getString("apiVersion"))) {
      throw new IllegalArgumentException("apiVersion is " + review.getString("apiVersion") + ", the webhook speaks " + API_VERSION);
    }
    JsonObject response = new JsonObject().put("uid", request.getString("uid")).put("allowed", true);
    JsonObject object = request.getJsonObject("object");
    JsonObject kind = request.getJsonObject("kind", new JsonObject());
    if (object != null && "Pod".equals(kind.getString("kind")) && "".equals(kind.getString("group", ""))) {
      Map<String, Object> before = plainMap(object);
      // the injector recognises objects by kind; the review's kind says what the object is
      before.putIfAbsent("kind", "Pod");
      Map<String, Object> after = plainMap(new JsonObject(before));
      String where = "AdmissionReview " + request.getString("uid") + " (Pod " + request.getString("namespace", "")
          + "/" + podName(object) + "):";
      try {
        if (injector.injectObject(after, where)) {
          JsonArray patch = JsonPatch.diff(before, after);
          response.put("patchType", "JSONPatch")
              .put("patch", Base64.getEncoder().encodeToString(patch.encode().getBytes(StandardCharsets.UTF_8)));
        }
      } catch (InjectionException e) {
        // Refuse the pod rather than run it outside the mesh: the user sees why in kubectl's error.
        response.put("allowed", false)
            .put("status", new JsonObject().put("code", 400).put("message", "sidecar injection failed: " + e.getMessage()));
      }
    }
    return new JsonObject().put("apiVersion", API_VERSION).put("kind", "AdmissionReview").put("response", response);
  }

  private static String podName(JsonObject pod) {
    JsonObject md = pod.getJsonObject("metadata", new JsonObject());
    return md.getString("name", md.getString("generateName", ""));
  }

  /** A deep copy as plain maps and lists, the shape the injector works on. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> plainMap(JsonObject json) {
    return (Map<String, Object>) plain(json);
  }

  private static Object plain(Object value) {
    if (value instanceof JsonObject o) {
      return plain(o.getMap());
    }
    if (value instanceof JsonArray a) {
      return plain(a.getList());
    }
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
      return out;
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(v -> out.add(plain(v)));
      return out;
    }
    return value;
  }
}
