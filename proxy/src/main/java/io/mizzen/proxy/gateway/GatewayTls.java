package io.mizzen.proxy.gateway;

import io.mizzen.spi.config.networking.ServerTlsSettings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server TLS contexts of Gateway servers terminating TLS (SIMPLE and MUTUAL). Reads files,
 * so it runs off the event loop, once per snapshot.
 *
 * <p>Credentials come from {@code serverCertificate}/{@code privateKey}/{@code caCertificates}
 * paths, or from {@code credentialName}: the folder {@code <credentialsDir>/<credentialName>/}
 * holding {@code tls.crt}, {@code tls.key} and (MUTUAL) {@code ca.crt} — the keys of Istio's
 * Kubernetes secret, one file each; a MUTUAL server may also keep its CA in
 * {@code <credentialName>-cacert/ca.crt}, as Istio allows. {@link #fingerprint} tells when those
 * files change between snapshots, so the proxy can build the server's context again.
 */
public final class GatewayTls {
  private GatewayTls() {}

  /**
   * Builds a context for every server that terminates TLS.
   *
   * @throws IllegalArgumentException naming the Gateway server and the file that is missing or
   *     unreadable
   */
  public static Map<GatewayServer, SslContext> load(Collection<GatewayPort> ports, Path credentialsDir) {
    Map<GatewayServer, SslContext> out = new IdentityHashMap<>();
    for (GatewayPort p : ports) {
      for (GatewayServer s : p.servers()) {
        if (s.terminates()) {
          out.put(s, context(s, credentialsDir));
        }
      }
    }
    return out;
  }

  /**
   * What the files behind {@code s}'s context hold now: a digest of their contents (or of why
   * they cannot be read), so a change to any of them — a renewed certificate, a rotated key —
   * shows as a different value. Reads files: off the event loop.
   */
  public static String fingerprint(GatewayServer s, Path credentialsDir) {
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      for (Path file : files(s, credentialsDir)) {
        sha.update(file.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(Files.readAllBytes(file));
      }
      return java.util.HexFormat.of().formatHex(sha.digest());
    } catch (IllegalArgumentException | java.io.IOException e) {
      return "unreadable: " + e.getMessage();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The certificate, key and (MUTUAL) CA files of a server terminating TLS. */
  private static List<Path> files(GatewayServer s, Path credentialsDir) {
    ServerTlsSettings tls = s.tls();
    String field = s.where() + ".tls";
    boolean mutual = tls.mode() == ServerTlsSettings.Mode.MUTUAL;
    List<Path> out = new ArrayList<>();
    if (tls.credentialName() != null && !tls.credentialName().isBlank()) {
      Path dir = credentialsDir.resolve(tls.credentialName());
      out.add(readable(dir.resolve("tls.crt"), field + ".credentialName"));
      out.add(readable(dir.resolve("tls.key"), field + ".credentialName"));
      if (mutual) {
        Path own = dir.resolve("ca.crt");
        out.add(readable(Files.isReadable(own) ? own : credentialsDir.resolve(tls.credentialName() + "-cacert").resolve("ca.crt"),
            field + ".credentialName"));
      }
    } else {
      out.add(readable(required(tls.serverCertificate(), field + ".serverCertificate"), field + ".serverCertificate"));
      out.add(readable(required(tls.privateKey(), field + ".privateKey"), field + ".privateKey"));
      if (mutual) {
        out.add(readable(required(tls.caCertificates(), field + ".caCertificates"), field + ".caCertificates"));
      }
    }
    return out;
  }

  /**
   * The context of one server that terminates TLS, from its files as they are now.
   *
   * @throws IllegalArgumentException naming the server and the file that is missing or unusable
   */
  public static SslContext context(GatewayServer s, Path credentialsDir) {
    ServerTlsSettings tls = s.tls();
    // The client certificate pins are read per connection; a bad one rejects the snapshot here.
    ClientCertificateCheck.of(tls, s.where());
    boolean mutual = tls.mode() == ServerTlsSettings.Mode.MUTUAL;
    String field = s.where() + ".tls";
    List<Path> files = files(s, credentialsDir);
    Path cert = files.get(0);
    Path key = files.get(1);
    Path ca = mutual ? files.get(2) : null;
    // Read here rather than by Netty: PKCS#1 and SEC1 keys (cert-manager's default) too.
    boolean named = tls.credentialName() != null && !tls.credentialName().isBlank();
    String keyField = field + (named ? ".credentialName" : ".privateKey");
    String certField = field + (named ? ".credentialName" : ".serverCertificate");
    java.security.PrivateKey privateKey = io.mizzen.proxy.tls.Pem.privateKey(text(key, keyField),
        (what, cause) -> new IllegalArgumentException(keyField + ": '" + key + "' " + what, cause));
    List<java.security.cert.X509Certificate> chain = io.mizzen.proxy.tls.Pem.certificates(
        text(cert, certField).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        (what, cause) -> new IllegalArgumentException(certField + ": '" + cert + "' " + what, cause));
    if (!chain.isEmpty() && !io.mizzen.proxy.tls.Pem.matches(privateKey, chain.get(0))) {
      throw new IllegalArgumentException(keyField + ": '" + key + "' is not the key of the certificate in '" + cert
          + "' (every handshake would fail)");
    }
    try {
      SslContextBuilder b = SslContextBuilder.forServer(privateKey, chain.toArray(new java.security.cert.X509Certificate[0]))
          .sslProvider(io.mizzen.proxy.tls.TlsProviders.preferred());
      if (s.http()) {
        // h2 for clients offering it, HTTP/1.1 for the others; a TCP server negotiates nothing.
        b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2,
              ApplicationProtocolNames.HTTP_1_1));
      }
      List<String> protocols = protocols(tls.minProtocolVersion(), tls.maxProtocolVersion());
      if (!protocols.isEmpty()) {
        b.protocols(protocols);
      }
      if (tls.cipherSuites() != null && !tls.cipherSuites().isEmpty()) {
        b.ciphers(tls.cipherSuites());
      }
      if (mutual) {
        b.trustManager(ca.toFile()).clientAuth(ClientAuth.REQUIRE);
      }
      return b.build();
    } catch (Exception e) {
      throw new IllegalArgumentException(field + ": cannot build a TLS server context from " + cert + " and " + key
          + (ca == null ? "" : " (CA " + ca + ")") + ": " + e.getMessage(), e);
    }
  }

  private static List<String> protocols(ServerTlsSettings.ProtocolVersion min, ServerTlsSettings.ProtocolVersion max) {
    if ((min == null || min == ServerTlsSettings.ProtocolVersion.TLS_AUTO)
        && (max == null || max == ServerTlsSettings.ProtocolVersion.TLS_AUTO)) {
      return List.of();
    }
    List<ServerTlsSettings.ProtocolVersion> all = List.of(ServerTlsSettings.ProtocolVersion.TLSV1_0,
        ServerTlsSettings.ProtocolVersion.TLSV1_1, ServerTlsSettings.ProtocolVersion.TLSV1_2,
        ServerTlsSettings.ProtocolVersion.TLSV1_3);
    // Istio's default range is TLS 1.2 to 1.3 (1.0 and 1.1 only when asked for).
    int lo = min == null || min == ServerTlsSettings.ProtocolVersion.TLS_AUTO ? 2 : all.indexOf(min);
    int hi = max == null || max == ServerTlsSettings.ProtocolVersion.TLS_AUTO ? 3 : all.indexOf(max);
    List<String> out = new ArrayList<>();
    for (int i = lo; i <= hi; i++) {
      out.add("TLSv1." + i);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("tls: minProtocolVersion " + min + " is above maxProtocolVersion " + max);
    }
    return out;
  }

  private static Path required(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + ": required (or credentialName)");
    }
    return Path.of(value);
  }

  private static String text(Path p, String field) {
    try {
      return Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(field + ": cannot read '" + p + "': " + e.getMessage(), e);
    }
  }

  private static Path readable(Path p, String field) {
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException(field + ": cannot read '" + p + "'");
    }
    return p;
  }
}
