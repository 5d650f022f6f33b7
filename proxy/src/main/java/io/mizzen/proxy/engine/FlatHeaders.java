package io.mizzen.proxy.engine;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The headers of a message this proxy relays over HTTP/1.1: names and values in two arrays, in
 * the order they came or were added, looked up by a case-insensitive scan. A relayed head has a
 * dozen headers or fewer, and the proxy reads and edits a handful of them once each, so a scan
 * costs less than Netty's {@code DefaultHttpHeaders}, which hashes every name it stores or looks
 * up and keeps an entry object per header. A head read by {@link PlainHead} holds its names and
 * values as {@link AsciiString} views of the received bytes, which the encoders copy back out as
 * they are ({@link HeadersWriter}). Behaves as {@code DefaultHttpHeaders} with its default validation:
 * a name must be a non-empty token, a value may hold no line break or NUL (Netty's own checks,
 * so what this refuses is what Netty's decoder refused before, with the same messages); values
 * are kept as given (a {@code Date} formatted as an HTTP date, other objects by
 * {@code toString}); set replaces every value of a name and appends the new one; {@link #TRAILERS}
 * also refuses the names a trailer may not carry. Not thread-safe, as a message's headers never
 * are.
 */
final class FlatHeaders extends HttpHeaders {
  /** What the HTTP/1.1 decoders build a head's headers with. */
  static final HttpHeadersFactory HEADERS = factory(false);
  /** What the HTTP/1.1 decoders build a body's trailers with. */
  static final HttpHeadersFactory TRAILERS = factory(true);

  private static final CharSequence[] NONE = new CharSequence[0];
  /** Netty's own checks, as its default header factories apply them. */
  private static final DefaultHeaders.NameValidator<CharSequence> HEADER_NAMES =
      DefaultHttpHeadersFactory.headersFactory().getNameValidator();
  private static final DefaultHeaders.NameValidator<CharSequence> TRAILER_NAMES =
      DefaultHttpHeadersFactory.trailersFactory().getNameValidator();
  private static final DefaultHeaders.ValueValidator<CharSequence> VALUES =
      DefaultHttpHeadersFactory.headersFactory().getValueValidator();

  private final boolean trailers;
  private CharSequence[] names;
  private CharSequence[] values;
  private int size;

  private FlatHeaders(boolean trailers, int capacity) {
    this.trailers = trailers;
    this.names = capacity == 0 ? NONE : new CharSequence[capacity];
    this.values = capacity == 0 ? NONE : new CharSequence[capacity];
  }

  /**
   * Headers already checked by {@link PlainHead} (token names, values of visible ASCII, spaces and
   * tabs only): taken as they are, the arrays included.
   */
  static FlatHeaders parsed(CharSequence[] names, CharSequence[] values, int size) {
    FlatHeaders headers = new FlatHeaders(false, 0);
    headers.names = names;
    headers.values = values;
    headers.size = size;
    return headers;
  }

  private static HttpHeadersFactory factory(boolean trailers) {
    return new HttpHeadersFactory() {
      @Override
      public HttpHeaders newHeaders() {
        // Trailers are rare: their arrays are made when the first one arrives.
        return new FlatHeaders(trailers, trailers ? 0 : 12);
      }

      @Override
      public HttpHeaders newEmptyHeaders() {
        return new FlatHeaders(trailers, 0);
      }
    };
  }

  // ---- reading

  private int indexOf(CharSequence name, int from) {
    CharSequence[] ns = names;
    int length = name.length();
    for (int i = from; i < size; i++) {
      CharSequence n = ns[i];
      if (n.length() == length && AsciiString.contentEqualsIgnoreCase(n, name)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String get(String name) {
    return get((CharSequence) name);
  }

  @Override
  public String get(CharSequence name) {
    int i = indexOf(name, 0);
    return i < 0 ? null : values[i].toString();
  }

  @Override
  public Integer getInt(CharSequence name) {
    return parsed(name, Integer::valueOf);
  }

  @Override
  public int getInt(CharSequence name, int defaultValue) {
    Integer value = getInt(name);
    return value == null ? defaultValue : value;
  }

  @Override
  public Short getShort(CharSequence name) {
    return parsed(name, Short::valueOf);
  }

  @Override
  public short getShort(CharSequence name, short defaultValue) {
    Short value = getShort(name);
    return value == null ? defaultValue : value;
  }

  @Override
  public Long getTimeMillis(CharSequence name) {
    Date date = parsed(name, DateFormatter::parseHttpDate);
    return date == null ? null : date.getTime();
  }

  @Override
  public long getTimeMillis(CharSequence name, long defaultValue) {
    Long value = getTimeMillis(name);
    return value == null ? defaultValue : value;
  }

  /** The first value of {@code name} as {@code parse} reads it; null if absent or not readable so. */
  private <T> T parsed(CharSequence name, java.util.function.Function<String, T> parse) {
    String value = get(name);
    if (value == null) {
      return null;
    }
    try {
      return parse.apply(value);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public List<String> getAll(String name) {
    return getAll((CharSequence) name);
  }

  @Override
  public List<String> getAll(CharSequence name) {
    int i = indexOf(name, 0);
    if (i < 0) {
      return Collections.emptyList();
    }
    List<String> all = new ArrayList<>(2);
    for (; i >= 0; i = indexOf(name, i + 1)) {
      all.add(values[i].toString());
    }
    return all;
  }

  @Override
  public Iterator<String> valueStringIterator(CharSequence name) {
    return getAll(name).iterator();
  }

  @Override
  public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
    List<CharSequence> all = new ArrayList<>(2);
    for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
      all.add(values[i]);
    }
    return all.iterator();
  }

  @Override
  public boolean contains(String name) {
    return indexOf(name, 0) >= 0;
  }

  @Override
  public boolean contains(CharSequence name) {
    return indexOf(name, 0) >= 0;
  }

  @Override
  public boolean contains(String name, String value, boolean ignoreCase) {
    return contains((CharSequence) name, value, ignoreCase);
  }

  @Override
  public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
    for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
      if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(values[i], value) : AsciiString.contentEquals(values[i], value)) {
        return true;
      }
    }
    return false;
  }

  /**
   * As Netty's: whether a value of {@code name}, split at commas and trimmed, is {@code value};
   * without the list and iterator Netty's makes per call (Connection, Transfer-Encoding and
   * keep-alive are asked this of every message).
   */
  @Override
  public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
    for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
      CharSequence raw = values[i];
      int begin = 0;
      int end;
      while ((end = AsciiString.indexOf(raw, ',', begin)) != -1) {
        if (tokenIs(raw.subSequence(begin, end), value, ignoreCase)) {
          return true;
        }
        begin = end + 1;
      }
      if ((begin == 0 || begin < raw.length()) && tokenIs(begin == 0 ? raw : raw.subSequence(begin, raw.length()), value, ignoreCase)) {
        return true;
      }
    }
    return false;
  }

  private static boolean tokenIs(CharSequence token, CharSequence value, boolean ignoreCase) {
    CharSequence trimmed = AsciiString.trim(token);
    return ignoreCase ? AsciiString.contentEqualsIgnoreCase(trimmed, value) : AsciiString.contentEquals(trimmed, value);
  }

  @Override
  public boolean isEmpty() {
    return size == 0;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Set<String> names() {
    Set<String> all = new LinkedHashSet<>();
    for (int i = 0; i < size; i++) {
      all.add(names[i].toString());
    }
    return all;
  }

  @Override
  public List<Map.Entry<String, String>> entries() {
    List<Map.Entry<String, String>> all = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      all.add(new AbstractMap.SimpleImmutableEntry<>(names[i].toString(), values[i].toString()));
    }
    return all;
  }

  @Override
  public Iterator<Map.Entry<String, String>> iterator() {
    return entries().iterator();
  }

  @Override
  public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < size;
      }

      @Override
      public Map.Entry<CharSequence, CharSequence> next() {
        if (next >= size) {
          throw new NoSuchElementException();
        }
        int i = next++;
        return new AbstractMap.SimpleImmutableEntry<>(names[i], values[i]);
      }
    };
  }

  // ---- writing

  @Override
  public HttpHeaders add(String name, Object value) {
    return add((CharSequence) name, value);
  }

  @Override
  public HttpHeaders add(CharSequence name, Object value) {
    append(validName(name), validValue(value));
    return this;
  }

  @Override
  public HttpHeaders add(String name, Iterable<?> values) {
    return add((CharSequence) name, values);
  }

  @Override
  public HttpHeaders add(CharSequence name, Iterable<?> values) {
    validName(name);
    for (Object value : values) {
      append(name, validValue(value));
    }
    return this;
  }

  @Override
  public HttpHeaders addInt(CharSequence name, int value) {
    return add(name, Integer.toString(value));
  }

  @Override
  public HttpHeaders addShort(CharSequence name, short value) {
    return add(name, Short.toString(value));
  }

  @Override
  public HttpHeaders set(String name, Object value) {
    return set((CharSequence) name, value);
  }

  @Override
  public HttpHeaders set(CharSequence name, Object value) {
    CharSequence v = validValue(value);
    remove(validName(name));
    append(name, v);
    return this;
  }

  @Override
  public HttpHeaders set(String name, Iterable<?> values) {
    return set((CharSequence) name, values);
  }

  @Override
  public HttpHeaders set(CharSequence name, Iterable<?> values) {
    validName(name);
    List<CharSequence> all = new ArrayList<>();
    for (Object value : values) {
      if (value == null) {
        break; // as DefaultHeaders: a null ends the list
      }
      all.add(validValue(value));
    }
    remove(name);
    for (CharSequence v : all) {
      append(name, v);
    }
    return this;
  }

  @Override
  public HttpHeaders setInt(CharSequence name, int value) {
    return set(name, Integer.toString(value));
  }

  @Override
  public HttpHeaders setShort(CharSequence name, short value) {
    return set(name, Short.toString(value));
  }

  @Override
  public HttpHeaders remove(String name) {
    return remove((CharSequence) name);
  }

  @Override
  public HttpHeaders remove(CharSequence name) {
    int first = indexOf(name, 0);
    if (first >= 0) {
      removeIf(first, (n, v) -> n.length() == name.length() && AsciiString.contentEqualsIgnoreCase(n, name));
    }
    return this;
  }

  @Override
  public HttpHeaders clear() {
    Arrays.fill(names, 0, size, null);
    Arrays.fill(values, 0, size, null);
    size = 0;
    return this;
  }

  @Override
  public HttpHeaders copy() {
    FlatHeaders copy = new FlatHeaders(trailers, Math.max(size, 4));
    System.arraycopy(names, 0, copy.names, 0, size);
    System.arraycopy(values, 0, copy.values, 0, size);
    copy.size = size;
    return copy;
  }

  private void append(CharSequence name, CharSequence value) {
    if (size == names.length) {
      int grown = Math.max(8, size * 2);
      names = Arrays.copyOf(names, grown);
      values = Arrays.copyOf(values, grown);
    }
    names[size] = name;
    values[size] = value;
    size++;
  }

  /** Netty's default name checks for headers (and, for trailers, its prohibited names). */
  private CharSequence validName(CharSequence name) {
    if (name == null) {
      throw new NullPointerException("name");
    }
    (trailers ? TRAILER_NAMES : HEADER_NAMES).validateName(name);
    return name;
  }

  /** Netty's default value conversion and check: no CR, LF or NUL that could end the line early. */
  private static CharSequence validValue(Object value) {
    if (value == null) {
      throw new NullPointerException("value");
    }
    CharSequence v;
    if (value instanceof CharSequence chars) {
      v = chars;
    } else if (value instanceof Date date) {
      v = DateFormatter.format(date);
    } else if (value instanceof Calendar calendar) {
      v = DateFormatter.format(calendar.getTime());
    } else {
      v = value.toString();
    }
    VALUES.validate(v);
    return v;
  }

  /**
   * Sets a header this proxy makes from checked parts (a constant name, a value of hex digits
   * and dashes it wrote itself): as {@link #set}, without checking them again.
   */
  void setChecked(AsciiString name, CharSequence value) {
    remove(name);
    append(name, value);
  }

  /**
   * Removes every header {@code drop} picks, in one pass.
   *
   * @return whether any was removed
   */
  boolean removeIf(java.util.function.BiPredicate<CharSequence, CharSequence> drop) {
    return removeIf(0, drop);
  }

  /** As {@link #removeIf(java.util.function.BiPredicate)}, for the headers from {@code from} on. */
  private boolean removeIf(int from, java.util.function.BiPredicate<CharSequence, CharSequence> drop) {
    int kept = from;
    for (int i = from; i < size; i++) {
      if (drop.test(names[i], values[i])) {
        continue;
      }
      names[kept] = names[i];
      values[kept] = values[i];
      kept++;
    }
    if (kept == size) {
      return false;
    }
    Arrays.fill(names, kept, size, null);
    Arrays.fill(values, kept, size, null);
    size = kept;
    return true;
  }

  /** The name of header {@code i}, in the order they are kept (for a scan without an iterator). */
  CharSequence nameAt(int i) {
    return names[i];
  }

  /** The value of header {@code i}. */
  CharSequence valueAt(int i) {
    return values[i];
  }
}
