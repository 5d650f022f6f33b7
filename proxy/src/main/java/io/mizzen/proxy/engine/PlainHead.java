package io.mizzen.proxy.engine;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.Arrays;

/**
 * One pass over a whole HTTP/1.x message head already received, for the plain shape most heads
 * have: a start line of single spaces, {@code HTTP/1.1} or {@code HTTP/1.0}, header lines of a
 * token name, a colon and a value of visible ASCII, spaces and tabs, every line ending in CRLF.
 * Such a head is read once into one array, and its names and values are views of that array
 * ({@link FlatHeaders}), where Netty's decoder reads it line by line, makes a String of every
 * value and hashes every name into its map.
 *
 * <p>It reads a subset: whatever it does not take (a head not yet whole, over the size limits,
 * with any other byte, an obsolete line folding, leading blank lines, a version other than 1.0
 * and 1.1) it leaves to Netty's decoder, which reads or refuses it as before. So this reader
 * accepts nothing Netty would refuse, and for what it takes it gives what Netty gives: the same
 * method, target, status, reason, and names and values with the spaces around them trimmed.
 * {@code PlainHeadTest} holds it to Netty's decoder over generated heads. Not thread-safe: one
 * per decoder.
 */
final class PlainHead {
  private static final byte SP = ' ';
  private static final byte HTAB = '\t';
  private static final byte CR = '\r';
  private static final byte LF = '\n';
  /** The first window copied out of the buffer: most heads fit it, and most bodies are not copied. */
  private static final int FIRST_WINDOW = 512;
  /** Bytes past the sentinel a start line's fixed-width checks may look at. */
  private static final int SLACK = 16;
  /** tchar (RFC 9110 §5.6.2). */
  private static final boolean[] TOKEN = new boolean[256];

  static {
    for (int c = '0'; c <= '9'; c++) {
      TOKEN[c] = true;
    }
    for (int c = 'a'; c <= 'z'; c++) {
      TOKEN[c] = true;
      TOKEN[c - 'a' + 'A'] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TOKEN[c] = true;
    }
  }

  /** Names most heads carry, spelt as most senders spell them: one instance each, not one per head. */
  private static final CommonNames COMMON = new CommonNames("Host", "host", "User-Agent", "user-agent", "Accept", "accept",
      "Accept-Encoding", "accept-encoding", "Accept-Language", "Connection", "connection", "Content-Length",
      "content-length", "Content-Type", "content-type", "Date", "date", "Server", "server", "Cache-Control",
      "Last-Modified", "ETag", "Accept-Ranges", "Cookie", "Authorization", "Origin", "Referer", "X-Forwarded-For",
      "x-forwarded-for", "X-Forwarded-Proto", "x-forwarded-proto", "x-request-id", "X-Request-Id", "traceparent",
      "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "x-envoy-upstream-service-time",
      "x-envoy-decorator-operation", "x-mesh", "Vary", "Keep-Alive", "Transfer-Encoding", "Expires", "Location");

  private byte[] scratch = new byte[FIRST_WINDOW];
  /** Per header: where its name and its value start and end in {@link #scratch}. */
  private int[] spans = new int[64];
  private FlatHeaders headers;

  // What the last successful read found.
  /** The head's bytes, start line to the blank line; names and values are views of it. */
  byte[] head;
  /** Request: the method is {@code [0, firstEnd)}, the target {@code [secondStart, secondEnd)}. */
  int firstEnd;
  int secondStart;
  int secondEnd;
  /** Response: the status code; its reason is {@code [secondStart, secondEnd)}. */
  int status;
  HttpVersion version;
  /** The Content-Length header's value, -1 when there is none. */
  long contentLength;
  /** How many Content-Length headers there were (more than one is left to Netty). */
  int contentLengths;
  boolean transferEncoding;
  boolean upgrade;
  private int count;

  /**
   * Reads a head from {@code buf}'s reader index without moving it.
   *
   * @param limit the longest head taken; a longer one is left to Netty's decoder (and its limits)
   * @param lineLimit the longest start line taken
   * @return the head's length in bytes, or -1 when the buffer does not start with a whole head of
   *     the plain shape (the caller hands it to Netty's decoder)
   */
  int read(ByteBuf buf, int limit, int lineLimit, boolean request) {
    int readable = Math.min(buf.readableBytes(), limit);
    int at = buf.readerIndex();
    int copied = 0;
    int window = Math.min(readable, FIRST_WINDOW);
    while (true) {
      if (scratch.length < window + SLACK) {
        scratch = Arrays.copyOf(scratch, Math.max(window + SLACK, scratch.length * 2));
      }
      buf.getBytes(at + copied, scratch, copied, window - copied);
      // A sentinel: every scan stops at a byte no rule takes, so none runs past what was copied.
      scratch[window] = 0;
      int end = parse(scratch, request, lineLimit);
      if (end >= 0) {
        return end;
      }
      if (window == readable || endsWithin(scratch, window)) {
        return -1; // not whole yet, or whole and not of the plain shape
      }
      // Not whole within the window: look again over more of what came.
      copied = window;
      window = Math.min(readable, window * 4);
    }
  }

  /** Whether {@code a[0, n)} holds the blank line that ends a head (the parse then saw all of it). */
  private static boolean endsWithin(byte[] a, int n) {
    for (int i = 3; i < n; i++) {
      if (a[i] == LF && a[i - 1] == CR && a[i - 2] == LF && a[i - 3] == CR) {
        return true;
      }
    }
    return false;
  }

  /** Parses a head from {@code a[0]}: its length, or -1 (not plain, or cut short by the sentinel). */
  private int parse(byte[] a, boolean request, int lineLimit) {
    int p = request ? requestLine(a, lineLimit) : statusLine(a, lineLimit);
    if (p < 0) {
      return -1;
    }
    count = 0;
    contentLength = -1;
    contentLengths = 0;
    transferEncoding = false;
    upgrade = false;
    while (a[p] != CR) {
      int nameStart = p;
      while (TOKEN[a[p] & 0xFF]) {
        p++;
      }
      if (p == nameStart || a[p] != ':') {
        return -1; // an empty name, a space before the colon, a folded line, any other byte
      }
      int nameEnd = p++;
      while (a[p] == SP || a[p] == HTAB) {
        p++;
      }
      int valueStart = p;
      int c;
      while ((c = a[p]) >= 0x20 && c < 0x7F || c == HTAB) {
        p++;
      }
      if (c != CR || a[p + 1] != LF) {
        return -1; // a bare CR or LF, a control byte, obs-text
      }
      int valueEnd = p;
      while (valueEnd > valueStart && (a[valueEnd - 1] == SP || a[valueEnd - 1] == HTAB)) {
        valueEnd--;
      }
      p += 2;
      if (!framing(a, nameStart, nameEnd, valueStart, valueEnd)) {
        return -1;
      }
      add(nameStart, nameEnd, valueStart, valueEnd);
    }
    if (a[p + 1] != LF) {
      return -1;
    }
    int end = p + 2;
    byte[] own = Arrays.copyOf(a, end);
    // Room for the headers the proxy adds: a request's id, trace context and peer metadata; a
    // response's few (more grow the arrays).
    int room = count + (request ? 10 : 4);
    CharSequence[] names = new CharSequence[room];
    CharSequence[] values = new CharSequence[room];
    int[] s = spans;
    for (int i = 0, j = 0; i < count; i++, j += 4) {
      AsciiString known = COMMON.get(own, s[j], s[j + 1] - s[j]);
      names[i] = known != null ? known : new AsciiString(own, s[j], s[j + 1] - s[j], false);
      values[i] = new AsciiString(own, s[j + 2], s[j + 3] - s[j + 2], false);
    }
    head = own;
    headers = FlatHeaders.parsed(names, values, count);
    return end;
  }

  /** The headers read last, as views of {@link #head}. */
  FlatHeaders headers() {
    return headers;
  }

  /** The request's method: Netty's constant for a known one, as its decoder gives. */
  io.netty.handler.codec.http.HttpMethod method() {
    byte[] a = head;
    if (firstEnd == 3 && a[0] == 'G' && a[1] == 'E' && a[2] == 'T') {
      return io.netty.handler.codec.http.HttpMethod.GET;
    }
    return io.netty.handler.codec.http.HttpMethod.valueOf(text(0, firstEnd));
  }

  /** The request's target. */
  String target() {
    return text(secondStart, secondEnd);
  }

  /** The response's status: Netty's constant when the reason is the standard one, as its decoder gives. */
  io.netty.handler.codec.http.HttpResponseStatus responseStatus() {
    io.netty.handler.codec.http.HttpResponseStatus standard = io.netty.handler.codec.http.HttpResponseStatus.valueOf(status);
    String reason = standard.reasonPhrase();
    if (reason.length() == secondEnd - secondStart) {
      int i = 0;
      while (i < reason.length() && reason.charAt(i) == head[secondStart + i]) {
        i++;
      }
      if (i == reason.length()) {
        return standard;
      }
    }
    return io.netty.handler.codec.http.HttpResponseStatus.valueOf(status, text(secondStart, secondEnd));
  }

  /** The text of {@code head[start, end)}, each byte a char. */
  private String text(int start, int end) {
    return new String(head, start, end - start, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /** {@code method SP target SP HTTP/1.x CRLF}: returns where the headers start, or -1. */
  private int requestLine(byte[] a, int lineLimit) {
    int p = 0;
    while (TOKEN[a[p] & 0xFF]) {
      p++;
    }
    if (p == 0 || a[p] != SP) {
      return -1;
    }
    firstEnd = p++;
    secondStart = p;
    int c;
    while ((c = a[p]) > 0x20 && c < 0x7F) {
      p++;
    }
    if (p == secondStart || c != SP) {
      return -1;
    }
    secondEnd = p++;
    version = version(a, p);
    if (version == null || a[p + 8] != CR || a[p + 9] != LF || p + 8 > lineLimit) {
      return -1;
    }
    return p + 10;
  }

  /** {@code HTTP/1.x SP 3DIGIT SP reason CRLF} with a reason of one word or more: where the headers start, or -1. */
  private int statusLine(byte[] a, int lineLimit) {
    version = version(a, 0);
    if (version == null || a[8] != SP) {
      return -1;
    }
    int d0 = a[9] - '0';
    int d1 = a[10] - '0';
    int d2 = a[11] - '0';
    if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 || a[12] != SP || a[13] <= 0x20 || a[13] >= 0x7F) {
      return -1;
    }
    status = d0 * 100 + d1 * 10 + d2;
    int p = 13;
    int c;
    while ((c = a[p]) >= 0x20 && c < 0x7F || c == HTAB) {
      p++;
    }
    if (c != CR || a[p + 1] != LF || a[p - 1] == SP || a[p - 1] == HTAB || p > lineLimit) {
      return -1;
    }
    secondStart = 13;
    secondEnd = p;
    return p + 2;
  }

  private static HttpVersion version(byte[] a, int p) {
    if (a[p] != 'H' || a[p + 1] != 'T' || a[p + 2] != 'T' || a[p + 3] != 'P' || a[p + 4] != '/'
        || a[p + 5] != '1' || a[p + 6] != '.') {
      return null;
    }
    return a[p + 7] == '1' ? HttpVersion.HTTP_1_1 : a[p + 7] == '0' ? HttpVersion.HTTP_1_0 : null;
  }

  /** Notes the framing headers; false for a Content-Length that is not plain digits. */
  private boolean framing(byte[] a, int nameStart, int nameEnd, int valueStart, int valueEnd) {
    int length = nameEnd - nameStart;
    if (length == 14 && equalsLower(a, nameStart, "content-length")) {
      contentLengths++;
      if (valueEnd == valueStart || valueEnd - valueStart > 18) {
        return false;
      }
      long n = 0;
      for (int i = valueStart; i < valueEnd; i++) {
        int d = a[i] - '0';
        if (d < 0 || d > 9) {
          return false;
        }
        n = n * 10 + d;
      }
      contentLength = n;
    } else if (length == 17 && equalsLower(a, nameStart, "transfer-encoding")) {
      transferEncoding = true;
    } else if (length == 7 && equalsLower(a, nameStart, "upgrade")) {
      upgrade = true;
    }
    return true;
  }

  private static boolean equalsLower(byte[] a, int at, String lower) {
    for (int i = 0; i < lower.length(); i++) {
      int c = a[at + i];
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private void add(int nameStart, int nameEnd, int valueStart, int valueEnd) {
    int j = count * 4;
    if (j == spans.length) {
      spans = Arrays.copyOf(spans, j * 2);
    }
    spans[j] = nameStart;
    spans[j + 1] = nameEnd;
    spans[j + 2] = valueStart;
    spans[j + 3] = valueEnd;
    count++;
  }

  /** Header names by their exact bytes: a lookup by length and first byte, then a compare. */
  private static final class CommonNames {
    private final AsciiString[][] byLength = new AsciiString[64][];

    CommonNames(String... names) {
      for (String name : names) {
        AsciiString[] same = byLength[name.length()];
        same = same == null ? new AsciiString[1] : Arrays.copyOf(same, same.length + 1);
        same[same.length - 1] = AsciiString.cached(name);
        byLength[name.length()] = same;
      }
    }

    /** The common name whose bytes are {@code a[at, at + length)}, exactly; null if none. */
    AsciiString get(byte[] a, int at, int length) {
      if (length >= byLength.length) {
        return null;
      }
      AsciiString[] same = byLength[length];
      if (same == null) {
        return null;
      }
      for (AsciiString name : same) {
        byte[] b = name.array();
        int from = name.arrayOffset();
        if (b[from] == a[at] && Arrays.equals(b, from, from + length, a, at, at + length)) {
          return name;
        }
      }
      return null;
    }
  }
}
