package io.mizzen.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The semantic version of this SPI, as built. A plugin declares the range it works with in its
 * manifest ({@code Plugin-Requires: >=1.0.0 & <2.0.0}); the kernel refuses a plugin whose range
 * does not contain this version.
 */
public final class SpiVersion {
  private SpiVersion() {}

  /** The SPI version this jar was built as, e.g. {@code 1.0.0}. */
  public static String current() {
    try (InputStream in = SpiVersion.class.getResourceAsStream("spi-version.properties")) {
      if (in == null) {
        throw new IllegalStateException("spi-version.properties missing from the spi jar");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("spi.version");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the SPI version", e);
    }
  }
}
