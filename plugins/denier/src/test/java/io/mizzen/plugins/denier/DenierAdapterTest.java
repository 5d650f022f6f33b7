package io.mizzen.plugins.denier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.Instance;
import io.mizzen.spi.mixer.QuotaArgs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DenierAdapterTest {
  private final DenierAdapter denier = new DenierAdapter();

  @Test
  void deniesWithTheConfiguredStatus() {
    Map<String, Object> params = Map.of("status", Map.of("code", 7, "message", "Not allowed"), "validDuration", "10s");
    assertEquals(List.of(), denier.validate(params));
    var handler = denier.build(params, null).result();
    CheckResult r = handler.check(new Instance("denyrequest.checknothing.istio-system", "checknothing", Map.of())).result();
    assertEquals(new CheckResult(7, "Not allowed", Duration.ofSeconds(10), 1000), r);
    assertEquals(0, handler.quota(new Instance("q", "quota", Map.of()), new QuotaArgs(3, "d", false)).result().granted());
  }

  @Test
  void everyParamProblemIsReportedByField() {
    List<ConfigError> errors = denier.validate(Map.of("status", Map.of("code", 99, "mesage", "x"), "validDuration", "soon", "extra", 1));
    List<String> fields = errors.stream().map(ConfigError::field).toList();
    assertTrue(fields.containsAll(List.of("status.code", "status.mesage", "validDuration", "extra")), errors.toString());
  }
}
