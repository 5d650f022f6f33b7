package io.mizzen.kernel.pilot;

/**
 * Where one connected proxy stands, for {@code mizzen proxy-status} and {@code /debug/syncz}.
 *
 * @param node the proxy
 * @param sent the last version sent ("" if none)
 * @param acked the last version it acknowledged ("" if none)
 * @param lastError the reason of its last NACK ("" if none)
 * @param resources how many resources it holds (as acknowledged)
 * @param instances how many instances it holds (as acknowledged)
 */
public record ProxyStatus(ProxyNode node, String sent, String acked, String lastError, int resources,
    int instances) {

  /** Whether the proxy holds what was sent it last. */
  public enum Sync { SYNCED, STALE, NOT_SENT }

  /** SYNCED when the last version sent is acknowledged, NOT SENT before any, STALE otherwise. */
  public Sync sync() {
    if (sent.isEmpty()) {
      return Sync.NOT_SENT;
    }
    return sent.equals(acked) ? Sync.SYNCED : Sync.STALE;
  }
}
