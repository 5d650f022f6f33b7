package io.mizzen.kernel.cli;

import io.mizzen.spi.SpiVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code mizzen version}: Mizzen's version, the SPI version plugins must admit, and the JVM's. */
@Command(name = "version", description = "Print the Mizzen, SPI and Java versions.")
final class VersionCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    for (String line : new Provider().getVersion()) {
      spec.commandLine().getOut().println(line);
    }
  }

  static String mizzenVersion() {
    try (InputStream in = VersionCommand.class.getResourceAsStream(
        "/io/mizzen/kernel/mizzen-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("mizzen.version", "unknown");
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  static final class Provider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "mizzen " + mizzenVersion(),
        "spi " + SpiVersion.current(),
        "java " + System.getProperty("java.version")
      };
    }
  }
}
