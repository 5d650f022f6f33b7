package io.mizzen.kernel.agent.identity;

import io.mizzen.kernel.agent.CertificateReporter;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.Role;
import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SpiffeId;
import io.mizzen.spi.ca.WorkloadCertificates;
import io.mizzen.spi.ca.WorkloadCredentials;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar agent's identity: gets the workload's first certificate from Citadel with the
 * bootstrap token, publishes it as {@link WorkloadCertificates} for the proxy, hands it to the
 * agent's {@link CertificateReporter} (so that Pilot knows what the proxy serves), and renews it at
 * half its lifetime with a fresh local key each time. Starts before the proxy.
 */
@Extension
public class AgentIdentityFunction implements MeshFunction {
  private static final Logger LOG = LoggerFactory.getLogger(AgentIdentityFunction.class);
  private final LiveCertificates certificates = new LiveCertificates();
  private volatile CitadelClient client;
  private volatile RotationSchedule rotation;
  private volatile boolean disabled;

  @Override
  public String name() {
    return "citadel-agent";
  }

  @Override
  public Set<Role> roles() {
    // EGRESS too once the egress gateway originates mTLS; left out for now, which also keeps the
    // kernel's "a role no function serves" boot check meaningful.
    return Set.of(Role.SIDECAR, Role.INGRESS);
  }

  @Override
  public int order() {
    // After the agent (20), whose WorkloadInfo names the workload; before the proxy (50), which
    // needs a certificate before its first mTLS listener binds.
    return 30;
  }

  @Override
  public Future<Void> start(MeshContext context) {
    if (context.settings(name()).isEmpty()) {
      // A sidecar without identity settings still serves plain traffic; mTLS needs a certificate.
      LOG.warn("workload identity is off: no citadel-agent settings (namespace, serviceAccount, tokenFile, "
          + "rootCertFile), so this proxy has no certificate for mutual TLS");
      disabled = true;
      return Future.succeededFuture();
    }
    IdentitySettings settings;
    try {
      settings = IdentitySettings.from(context.settings(name()), context.rootNamespace(), workload(context));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    SpiffeId identity;
    try {
      identity = SpiffeId.of(context.trustDomain(), settings.namespace(), settings.serviceAccount());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalArgumentException("citadel-agent: " + e.getMessage(), e));
    }
    Clock clock = Clock.systemUTC();
    return context.executeBlocking(() -> readRoots(settings.rootCertFile())).compose(roots -> {
      CitadelClient citadel = CitadelClient.create(context.vertx(),
          SocketAddress.inetSocketAddress(settings.controlPlanePort(), settings.controlPlaneHost()), roots);
      client = citadel;
      AtomicReference<WorkloadCredentials> latest = new AtomicReference<>();
      java.util.function.Supplier<Future<IssuedCertificate>> renew = () -> context.executeBlocking(() -> readToken(settings.tokenFile()))
          .compose(token -> WorkloadKeys.prepare(context.vertx(), identity, settings.keyType())
              .compose(pending -> citadel.sign(WorkloadKeys.request(token, pending, clock, settings.ttl()))
                  .map(cert -> {
                    latest.set(credentials(identity, pending, cert));
                    return cert;
                  })));
      return renew.get().map(first -> {
        certificates.install(latest.get());
        context.publish(WorkloadCertificates.class, certificates);
        CertificateReporter reporter = context.lookup(CertificateReporter.class);
        if (reporter != null) {
          reporter.follow(certificates); // Pilot learns what the proxy serves (proxy-config secret)
        }
        rotation = RotationSchedule.start(context.vertx(), first, renew, cert -> certificates.install(latest.get()), clock, new Random());
        LOG.info("workload identity {} from {}:{}, certificate {} until {}", identity, settings.controlPlaneHost(),
            settings.controlPlanePort(), first.serial(), first.notAfter());
        return null;
      });
    });
  }

  /** The fallbacks the data-plane agent gives: its WorkloadInfo and its control plane's host. */
  private static IdentitySettings.Workload workload(MeshContext context) {
    WorkloadInfo info = context.lookup(WorkloadInfo.class);
    MeshSettings mesh = context.lookup(MeshSettings.class);
    String host = null;
    if (mesh != null) {
      String cp = mesh.agent().controlPlane();
      int colon = cp.lastIndexOf(':');
      host = colon > 0 ? cp.substring(0, colon) : cp;
    }
    return new IdentitySettings.Workload(info == null ? null : info.namespace(), info == null ? null : info.serviceAccount(),
        host, context.ports().grpcTls());
  }

  private static WorkloadCredentials credentials(SpiffeId identity, PendingIdentity pending, IssuedCertificate cert) {
    String keyPem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pending.keys().getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    return new WorkloadCredentials(identity, cert.certificatePem() + cert.chainPem(), keyPem, cert.rootsPem(), cert.serial(), cert.notAfter());
  }

  private static String readToken(Path file) throws java.io.IOException {
    try {
      String token = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (token.isEmpty()) {
        throw new IllegalStateException("citadel-agent.tokenFile: " + file + " is empty");
      }
      return token;
    } catch (NoSuchFileException e) {
      throw new IllegalStateException("citadel-agent.tokenFile: " + file + " does not exist (create a token with "
          + "`mizzen token create --sa <sa> --ns <ns>` and save it there)");
    }
  }

  private static List<String> readRoots(Path file) throws java.io.IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new IllegalStateException("citadel-agent.rootCertFile: " + file + " does not exist");
    }
    List<String> roots = new ArrayList<>();
    String end = "-----END CERTIFICATE-----";
    int from = 0;
    int begin;
    while ((begin = text.indexOf("-----BEGIN CERTIFICATE-----", from)) >= 0) {
      int stop = text.indexOf(end, begin);
      if (stop < 0) {
        throw new IllegalStateException("citadel-agent.rootCertFile: " + file + " has a certificate without its END line");
      }
      roots.add(text.substring(begin, stop + end.length()) + "\n");
      from = stop + end.length();
    }
    if (roots.isEmpty()) {
      throw new IllegalStateException("citadel-agent.rootCertFile: " + file + " holds no PEM certificate");
    }
    return roots;
  }

  @Override
  public Future<Void> stop() {
    RotationSchedule r = rotation;
    if (r != null) {
      r.stop();
    }
    CitadelClient c = client;
    client = null;
    return c == null ? Future.succeededFuture() : c.close();
  }

  @Override
  public boolean ready() {
    return disabled || certificates.current() != null;
  }
}
