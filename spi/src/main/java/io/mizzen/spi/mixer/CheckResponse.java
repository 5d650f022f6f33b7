package io.mizzen.spi.mixer;

import java.util.List;
import java.util.Map;

/**
 * Mixer's answer to a Check.
 *
 * @param precondition the combined verdict of every matching check handler (the first non-OK
 *     status wins), with the shortest validDuration and smallest validUseCount among them
 * @param referenced the attributes the verdict depended on: a cache keyed on their values may
 *     reuse the verdict for any request that agrees on them
 * @param requestHeaderOperations header changes the proxy applies to the request
 * @param responseHeaderOperations header changes the proxy applies to the response
 * @param quotas the grant for each quota asked, by quota name
 */
public record CheckResponse(
    CheckResult precondition,
    ReferencedAttributes referenced,
    List<HeaderOperation> requestHeaderOperations,
    List<HeaderOperation> responseHeaderOperations,
    Map<String, QuotaResult> quotas) {
  public CheckResponse {
    requestHeaderOperations = List.copyOf(requestHeaderOperations);
    responseHeaderOperations = List.copyOf(responseHeaderOperations);
    quotas = Map.copyOf(quotas);
  }

  /**
   * The status the request gets: the precondition's if it is not OK, else RESOURCE_EXHAUSTED when
   * an asked quota was not granted in full, else OK.
   */
  public CheckResult effectiveStatus() {
    if (!precondition.isOk()) {
      return precondition;
    }
    for (Map.Entry<String, QuotaResult> q : quotas.entrySet()) {
      if (q.getValue().granted() <= 0) {
        return CheckResult.denied(CheckResult.RESOURCE_EXHAUSTED,
            "quota " + q.getKey() + " exhausted", q.getValue().validDuration(), 0);
      }
    }
    return precondition;
  }
}
