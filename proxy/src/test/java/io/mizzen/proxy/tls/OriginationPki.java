package io.mizzen.proxy.tls;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.SourceLocation;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the TLS-origination tests share: the upstreams' CA, a CA the upstreams do not use, and a
 * client certificate of the first, as PEM files in a test folder, and the upstreams' TLS options.
 */
final class OriginationPki {
  final TestPki ca;
  final Path caFile;
  final Path otherCaFile;
  final Path clientCert;
  final Path clientKey;
  private final Path dir;

  OriginationPki(Path dir) throws Exception {
    this.dir = dir;
    ca = new TestPki("upstream-ca");
    caFile = write("ca.pem", ca.rootPem());
    otherCaFile = write("other-ca.pem", new TestPki("someone-else").rootPem());
    String[] clientLeaf = ca.tlsLeaf("mizzen-client");
    clientCert = write("client.pem", clientLeaf[0]);
    clientKey = write("client.key", clientLeaf[1]);
  }

  Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  /** A TLS server's options for {@code host}, with a leaf of {@link #ca}; asking for a client certificate of it when told. */
  HttpServerOptions serverOptions(String host, boolean requireClientCertificate) throws Exception {
    String[] leaf = ca.tlsLeaf(host, host);
    HttpServerOptions options = new HttpServerOptions().setSsl(true).setSni(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(write("server.pem", leaf[0]).toString())
            .setKeyPath(write("server.key", leaf[1]).toString()));
    if (requireClientCertificate) {
      options.setClientAuth(ClientAuth.REQUIRED).setTrustOptions(new PemTrustOptions().addCertPath(caFile.toString()));
    }
    return options;
  }

  /** A {@code networking.istio.io/v1alpha3} resource in {@code default}. */
  static Resource resource(String kind, String name, Map<String, Object> spec) {
    return new Resource("networking.istio.io/v1alpha3", kind, name, "default", null, null, spec,
        new SourceLocation("inline", 0, 1));
  }
}
