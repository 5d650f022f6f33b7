package io.mizzen.proxy.policy;

import io.mizzen.proxy.access.IstioMetrics;
import io.mizzen.proxy.filter.RequestContext;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeLayout;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.ReferencedAttributes;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The attributes Istio's sidecar gave Mixer for an HTTP request and its response, built for
 * {@link MixerHook}: where each attribute the hook sets sits in one vocabulary, worked out once per
 * vocabulary rather than by name per request; -1 when the vocabulary does not know the attribute
 * or declares another type for it than Istio's (the attribute is then left out, as rules reading
 * it expect), or when the config in force reads nothing of it ({@link #read}, from
 * {@link io.mizzen.spi.mixer.Mixer#attributesRead()}; null: unknown, every attribute is set). An
 * attribute nothing reads is never computed: no peer-header parse when no rule or instance reads
 * {@code source.*}, no clock read for {@code request.time} when neither it nor
 * {@code response.duration} is read. {@link #fixed} holds the workload's own attributes, the same
 * for every request.
 */
final class HttpAttributes {
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.policy");
  private static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");

  final AttributeVocabulary vocabulary;
  final ReferencedAttributes read;
  final AttributeBag fixed;
  /** Bags of {@link #fixed} plus the attributes set per request and response: only those are copied. */
  private final AttributeLayout layout;
  final int sourceLabels;
  final int sourceWorkloadName;
  final int sourceNamespace;
  final int sourceWorkloadNamespace;
  final int sourcePrincipal;
  final int sourceUser;
  final int sourceUid;
  final int connectionMtls;
  final int destinationPort;
  final int requestPath;
  final int requestUrlPath;
  final int requestMethod;
  final int requestHost;
  final int requestScheme;
  final int requestTime;
  final int requestId;
  final int requestUseragent;
  final int requestHeaders;
  final int responseCode;
  final int responseTime;
  final int responseHeaders;
  final int responseDuration;
  final int responseSize;
  final int sourceIp;
  /** Whether anything read comes from the peer-metadata header. */
  private final boolean readsPeer;
  private final HeaderKeys requestHeaderKeys;
  private final HeaderKeys responseHeaderKeys;

  HttpAttributes(AttributeVocabulary v, ReferencedAttributes read, Map<String, Object> fixedAttributes) {
    vocabulary = v;
    this.read = read;
    AttributeBag.Builder b = AttributeBag.builder(v);
    fixedAttributes.forEach((name, value) -> put(b, slot(v, name, value.getClass()), value));
    fixed = b.build();
    sourceLabels = slot(v, "source.labels", Map.class);
    sourceWorkloadName = slot(v, "source.workload.name", String.class);
    sourceNamespace = slot(v, "source.namespace", String.class);
    sourceWorkloadNamespace = slot(v, "source.workload.namespace", String.class);
    sourcePrincipal = slot(v, "source.principal", String.class);
    sourceUser = slot(v, "source.user", String.class);
    sourceUid = slot(v, "source.uid", String.class);
    connectionMtls = slot(v, "connection.mtls", Boolean.class);
    destinationPort = slot(v, "destination.port", Long.class);
    requestPath = slot(v, "request.path", String.class);
    requestUrlPath = slot(v, "request.url_path", String.class);
    requestMethod = slot(v, "request.method", String.class);
    requestHost = slot(v, "request.host", String.class);
    requestScheme = slot(v, "request.scheme", String.class);
    // The response's duration is measured from the request's time: kept when either is read.
    requestTime = slot(v, read != null && isRead(read, "response.duration") ? null : read, "request.time", Instant.class);
    requestId = slot(v, "request.id", String.class);
    requestUseragent = slot(v, "request.useragent", String.class);
    requestHeaders = slot(v, "request.headers", Map.class);
    responseCode = slot(v, "response.code", Long.class);
    responseTime = slot(v, "response.time", Instant.class);
    responseHeaders = slot(v, "response.headers", Map.class);
    responseDuration = slot(v, "response.duration", java.time.Duration.class);
    responseSize = slot(v, "response.size", Long.class);
    sourceIp = slot(v, "source.ip", java.net.InetAddress.class);
    layout = AttributeLayout.of(fixed, sourceLabels, sourceWorkloadName, sourceNamespace, sourceWorkloadNamespace,
        sourcePrincipal, sourceUser, sourceUid, connectionMtls, destinationPort, requestPath, requestUrlPath,
        requestMethod, requestHost, requestScheme, requestTime, requestId, requestUseragent, requestHeaders,
        responseCode, responseTime, responseHeaders, responseDuration, responseSize, sourceIp);
    requestHeaderKeys = new HeaderKeys(read, "request.headers");
    responseHeaderKeys = new HeaderKeys(read, "response.headers");
    readsPeer = sourceLabels >= 0 || sourceWorkloadName >= 0 || sourceNamespace >= 0 || sourceWorkloadNamespace >= 0
        || sourcePrincipal >= 0 || sourceUser >= 0 || sourceUid >= 0;
  }

  private int slot(AttributeVocabulary v, String name, Class<?> javaType) {
    return slot(v, read, name, javaType);
  }

  private static boolean isRead(ReferencedAttributes read, String name) {
    return read.attributes().contains(name) || read.mapKeys().containsKey(name);
  }

  private static int slot(AttributeVocabulary v, ReferencedAttributes read, String name, Class<?> javaType) {
    if (read != null && !isRead(read, name)) {
      return -1;
    }
    int i = v.indexOf(name);
    if (i < 0) {
      return -1;
    }
    if (!v.type(i).javaType().isAssignableFrom(javaType)) {
      // A manifest declaring another type than Istio's for this attribute: it stays absent.
      LOG.log(System.Logger.Level.DEBUG, "mixer attribute " + name + " left out: it is " + v.type(i)
          + ", not a " + javaType.getSimpleName());
      return -1;
    }
    return i;
  }

  /**
   * The attributes of the workload itself, the same for every request: computed once, not per
   * request (destination.*, context.*).
   */
  static Map<String, Object> workloadAttributes(WorkloadInfo self, String trustDomain) {
    Map<String, Object> a = new java.util.LinkedHashMap<>();
    String ns = self.namespace();
    a.put("destination.labels", self.labels());
    a.put("destination.namespace", ns);
    a.put("destination.workload.namespace", ns);
    a.put("destination.principal", trustDomain + "/ns/" + ns + "/sa/" + self.serviceAccount());
    if (self.service() != null) {
      a.put("destination.service.name", self.service());
      a.put("destination.service.namespace", ns);
      a.put("destination.service.host", self.service() + "." + ns + ".svc." + trustDomain);
      String version = self.labels().get("version");
      a.put("destination.workload.name", version == null ? self.service() : self.service() + "-" + version);
      a.put("destination.uid", "kubernetes://" + a.get("destination.workload.name") + "." + ns);
    }
    a.put("context.protocol", "http");
    a.put("context.reporter.kind", "inbound");
    return java.util.Collections.unmodifiableMap(a);
  }

  /**
   * The report of a request: its bag copied (the request's own values, one small array copy), plus
   * what the response says.
   */
  AttributeBag report(AttributeBag attributes, HttpResponse response) {
    AttributeBag base = attributes.vocabulary() == vocabulary ? attributes : attributes.rebase(vocabulary);
    AttributeBag.Builder report = AttributeBag.builder(base);
    put(report, responseCode, statusCode(response.status().code()));
    if (responseTime >= 0 || responseDuration >= 0) {
      Instant now = Instant.now();
      put(report, responseTime, now);
      if (responseDuration >= 0 && requestTime >= 0 && base.get(requestTime) instanceof Instant started) {
        // Until the response head: the report is queued then, never held for the body.
        report.put(responseDuration, java.time.Duration.between(started, now));
      }
    }
    if (responseSize >= 0) {
      long size = io.netty.handler.codec.http.HttpUtil.getContentLength(response, -1L);
      if (size >= 0) {
        report.put(responseSize, sizes.of(size));
      }
    }
    if (responseHeaders >= 0) {
      report.put(responseHeaders, responseHeaderKeys.of(response.headers()));
    }
    return report.build();
  }


  /**
   * Status codes boxed once: {@code Long.valueOf} caches only up to 127, and bags that carry the
   * same object let Mixer's report memo compare by identity.
   */
  private static final Long[] STATUS_CODES = java.util.stream.LongStream.range(0, 600).boxed().toArray(Long[]::new);

  private static Long statusCode(int code) {
    return code >= 0 && code < STATUS_CODES.length ? STATUS_CODES[code] : Long.valueOf(code);
  }

  /**
   * The last number boxed, given again while it repeats (a sidecar's inbound port, a service's
   * response size): one allocation fewer, and an identity match in the memo. Racy but immutable.
   */
  private static final class LastBoxed {
    private Long last = -1L;

    Long of(long value) {
      Long l = last;
      if (l != value) {
        l = value;
        last = l;
      }
      return l;
    }
  }

  private final LastBoxed ports = new LastBoxed();
  private final LastBoxed sizes = new LastBoxed();

  private static void put(AttributeBag.Builder b, int slot, Object value) {
    if (slot >= 0) {
      b.put(slot, value);
    }
  }

  /** The last source address parsed: callers are few, so most requests skip the parse. */
  private static volatile SourceAddress lastSource = new SourceAddress("", null);

  private record SourceAddress(String text, java.net.InetAddress address) {}

  private static java.net.InetAddress address(String text) {
    SourceAddress last = lastSource;
    if (!last.text().equals(text)) {
      last = new SourceAddress(text, io.mizzen.spi.mixer.AttributeValues.ipAddress(text));
      lastSource = last;
    }
    return last.address();
  }

  /** The attributes Istio's sidecar sent with an inbound request, put straight into a bag. */
  AttributeBag request(RequestContext request) {
    AttributeBag.Builder b = layout.builder();
    String peer = readsPeer ? request.header(IstioMetrics.PEER_HEADER) : null;
    if (peer != null) {
      String[] p = peer.split(";", -1);
      String app = at(p, 1);
      String version = at(p, 2);
      Map<String, String> carried = IstioMetrics.peerLabels(p);
      if (carried.isEmpty()) {
        put(b, sourceLabels, app == null ? (version == null ? Map.of() : Map.of("version", version))
            : version == null ? Map.of("app", app) : Map.of("app", app, "version", version));
      } else {
        // All the caller's labels (Istio's kubernetesenv gave Mixer source.labels from the pod).
        Map<String, String> labels = new HashMap<>(carried);
        if (app != null) {
          labels.put("app", app);
        }
        if (version != null) {
          labels.put("version", version);
        }
        put(b, sourceLabels, labels);
      }
      String workload = at(p, 0);
      String namespace = at(p, 3);
      put(b, sourceWorkloadName, workload);
      put(b, sourceNamespace, namespace);
      put(b, sourceWorkloadNamespace, namespace);
      put(b, sourcePrincipal, at(p, 4));
      put(b, sourceUser, at(p, 4));
      if (workload != null && namespace != null) {
        put(b, sourceUid, "kubernetes://" + workload + "." + namespace);
      }
    }
    // What the mutual TLS handshake proved outranks what the peer header claims.
    String proven = request.sourcePrincipal();
    put(b, connectionMtls, proven != null);
    if (proven != null && (sourcePrincipal >= 0 || sourceUser >= 0)) {
      put(b, sourcePrincipal, proven);
      put(b, sourceUser, proven);
    }
    put(b, destinationPort, ports.of(request.port()));
    String peerIp = request.sourceIp();
    if (sourceIp >= 0 && peerIp != null && !peerIp.isEmpty()) {
      // The address the inbound connection came from (mixer-rule-deny-ip's whitelist reads it).
      put(b, sourceIp, address(peerIp));
    }
    put(b, requestPath, request.uri());
    put(b, requestUrlPath, request.path());
    put(b, requestMethod, request.method());
    put(b, requestHost, request.authority());
    put(b, requestScheme, request.scheme());
    if (requestTime >= 0) {
      b.put(requestTime, Instant.now());
    }
    HttpHeaders headers = request.headers();
    if (requestId >= 0) {
      b.put(requestId, headers.get(REQUEST_ID));
    }
    if (requestUseragent >= 0) {
      b.put(requestUseragent, headers.get(HttpHeaderNames.USER_AGENT));
    }
    if (requestHeaders >= 0) {
      b.put(requestHeaders, requestHeaderKeys.of(headers));
    }
    return b.build();
  }

  /**
   * What of a header-map attribute the config reads ({@code read}, null when unknown), worked out
   * once per config rather than per request: the whole map, or only the keys read (a rule on
   * {@code request.headers["x-user"]} gets a map of at most that header), as Netty header names
   * (their hashes kept) and in lower case. Used only for an attribute something reads.
   */
  private static final class HeaderKeys {
    private final boolean whole;
    private final AsciiString[] names;
    private final String[] lower;

    HeaderKeys(ReferencedAttributes read, String attribute) {
      whole = read == null || read.attributes().contains(attribute);
      Set<String> keys = whole ? Set.of() : read.mapKeys().getOrDefault(attribute, Set.of());
      names = keys.stream().map(AsciiString::of).toArray(AsciiString[]::new);
      lower = keys.stream().map(k -> k.toLowerCase(Locale.ROOT)).toArray(String[]::new);
    }

    Map<String, String> of(HttpHeaders headers) {
      if (whole) {
        return headerMap(headers);
      }
      Map<String, String> m = null;
      String onlyKey = null;
      String onlyValue = null;
      for (int i = 0; i < names.length; i++) {
        // Absent (the usual case) costs one lookup; present, the last value of a repeated header
        // wins, as in the whole map.
        String value = headers.get(names[i]);
        if (value == null) {
          continue;
        }
        List<String> values = headers.getAll(names[i]);
        value = values.get(values.size() - 1);
        if (onlyKey == null && m == null) {
          onlyKey = lower[i];
          onlyValue = value;
          continue;
        }
        if (m == null) {
          m = new HashMap<>();
          m.put(onlyKey, onlyValue);
        }
        m.put(lower[i], value);
      }
      return m != null ? Map.copyOf(m) : onlyKey != null ? Map.of(onlyKey, onlyValue) : Map.of();
    }
  }

  /**
   * The headers as an immutable map with lower-case names (HTTP/2's spelling), the last value of
   * a repeated header winning; built straight into its final form, not copied through a HashMap.
   */
  static Map<String, String> headerMap(HttpHeaders headers) {
    int n = headers.size();
    if (n == 0) {
      return Map.of();
    }
    if (n > 32) {
      Map<String, String> m = new HashMap<>();
      headers.forEach(h -> m.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
      return Map.copyOf(m);
    }
    @SuppressWarnings("unchecked")
    Map.Entry<String, String>[] entries = new Map.Entry[n];
    String[] names = new String[n];
    int k = 0;
    for (Iterator<Map.Entry<String, String>> it = headers.iteratorAsString(); it.hasNext(); ) {
      Map.Entry<String, String> h = it.next();
      String name = h.getKey().toLowerCase(Locale.ROOT);
      int at = k;
      for (int j = 0; j < k; j++) {
        if (names[j].equals(name)) {
          at = j;
          break;
        }
      }
      entries[at] = Map.entry(name, h.getValue());
      if (at == k) {
        names[k++] = name;
      }
    }
    return Map.ofEntries(k == n ? entries : Arrays.copyOf(entries, k));
  }

  private static String at(String[] parts, int i) {
    return i < parts.length && !parts[i].isEmpty() ? parts[i] : null;
  }
}
