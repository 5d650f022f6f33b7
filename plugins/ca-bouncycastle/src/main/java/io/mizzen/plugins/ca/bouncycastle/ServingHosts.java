package io.mizzen.plugins.ca.bouncycastle;

import io.mizzen.spi.ca.SigningRefusedException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x509.GeneralName;

/** The host names and IP literals of the control plane's serving certificate, as SANs. */
final class ServingHosts {
  private static final Pattern DNS = Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
  private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:]*:[0-9a-fA-F:.]*");

  private ServingHosts() {}

  /** @throws SigningRefusedException naming the first entry that is neither a DNS name nor an IP */
  static List<GeneralName> toNames(List<String> hosts) {
    List<GeneralName> names = new ArrayList<>();
    for (String host : hosts) {
      if (IPV4.matcher(host).matches() || IPV6.matcher(host).matches()) {
        names.add(new GeneralName(GeneralName.iPAddress, host));
      } else if (DNS.matcher(host).matches()) {
        names.add(new GeneralName(GeneralName.dNSName, host));
      } else {
        throw new SigningRefusedException(SigningRefusedException.Reason.IDENTITY_MISMATCH,
            "'" + host + "' is neither a lower-case DNS name nor an IP address");
      }
    }
    return names;
  }
}
