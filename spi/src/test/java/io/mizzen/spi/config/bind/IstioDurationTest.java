package io.mizzen.spi.config.bind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class IstioDurationTest {

  @Test
  void readsIstiosForms() {
    assertEquals(Duration.ofSeconds(1), IstioDuration.parse("1s").orElseThrow());
    assertEquals(Duration.ofMillis(500), IstioDuration.parse("0.5s").orElseThrow());
    assertEquals(Duration.ofMillis(100), IstioDuration.parse("100ms").orElseThrow());
    assertEquals(Duration.ofHours(1), IstioDuration.parse("1h").orElseThrow());
    assertEquals(Duration.ofSeconds(90), IstioDuration.parse("1m30s").orElseThrow());
    assertEquals(Duration.ofNanos(1500), IstioDuration.parse("1.5us").orElseThrow());
    assertEquals(Duration.ZERO, IstioDuration.parse("0s").orElseThrow());
  }

  @Test
  void refusesWhatIsNotADuration() {
    for (String bad : new String[] {"", "1", "s", "-1s", "1 s", "1x", "1.5.2s", "10sec", "ms"}) {
      assertTrue(IstioDuration.parse(bad).isEmpty(), bad);
    }
  }

  @Test
  void refusesWhatNoDurationCanHold() {
    // Found by ConfigMutationPropertyTest: these read as the low 64 bits of their nanoseconds,
    // 999999999999h as about 228 years and 9223372036854775807s as -1s.
    for (String tooLong : new String[] {"999999999999h", "9223372036854775807s", "2562048h"}) {
      assertTrue(IstioDuration.parse(tooLong).isEmpty(), tooLong);
    }
    assertEquals(Duration.ofHours(2562047), IstioDuration.parse("2562047h").orElseThrow());
    assertEquals(IstioDuration.MAX, IstioDuration.parse("9223372036.854775807s").orElseThrow());
  }

  @Test
  void formatsAsIstioWritesThem() {
    assertEquals("7s", IstioDuration.format(Duration.ofSeconds(7)));
    assertEquals("0.5s", IstioDuration.format(Duration.ofMillis(500)));
    assertEquals("0s", IstioDuration.format(Duration.ZERO));
  }
}
