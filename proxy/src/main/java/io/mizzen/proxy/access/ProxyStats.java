package io.mizzen.proxy.access;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request counters by response code and by response flag, for a metrics exporter to publish as
 * labels ({@code response_code}, {@code response_flags}). Counting costs two adders per request,
 * no allocation.
 */
public final class ProxyStats {
  private final LongAdder[] byStatus = new LongAdder[600];
  private final LongAdder[] byFlag = new LongAdder[ResponseFlag.values().length];

  public ProxyStats() {
    for (int i = 0; i < byStatus.length; i++) {
      byStatus[i] = new LongAdder();
    }
    for (int i = 0; i < byFlag.length; i++) {
      byFlag[i] = new LongAdder();
    }
  }

  /** Counts one finished exchange; status 0 means no response was sent. */
  public void record(int status, int flags) {
    byStatus[status >= 0 && status < 600 ? status : 0].increment();
    if (flags != 0) {
      for (ResponseFlag f : ResponseFlag.values()) {
        if ((flags & f.bit()) != 0) {
          byFlag[f.ordinal()].increment();
        }
      }
    }
  }

  /** Exchanges by response status (0: none sent), only the statuses seen. */
  public Map<Integer, Long> byStatus() {
    Map<Integer, Long> out = new TreeMap<>();
    for (int i = 0; i < byStatus.length; i++) {
      long n = byStatus[i].sum();
      if (n > 0) {
        out.put(i, n);
      }
    }
    return out;
  }

  /** Exchanges by response flag, only the flags seen. */
  public Map<ResponseFlag, Long> byFlag() {
    Map<ResponseFlag, Long> out = new EnumMap<>(ResponseFlag.class);
    for (ResponseFlag f : ResponseFlag.values()) {
      long n = byFlag[f.ordinal()].sum();
      if (n > 0) {
        out.put(f, n);
      }
    }
    return out;
  }
}
