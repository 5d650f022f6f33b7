package io.mizzen.plugins.ca.bouncycastle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SigningRequest;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** openssl, an outside verifier, agrees with what the CA issues, and its CSRs are accepted. */
@ExtendWith(VertxExtension.class)
class OpensslAgreementTest {
  @TempDir Path dir;
  private BouncyCastleAuthority ca;

  @BeforeEach
  void start(Vertx vertx) {
    assumeTrue(onPath("openssl"), "openssl is not on PATH: install the Debian package 'openssl' to run this test");
    ca = new BouncyCastleAuthority();
    Await.result(ca.start(StandaloneMeshContext.of(vertx, dir.resolve("state"), Map.of())));
  }

  @Test
  void opensslVerifiesTheLeafAndSeesTheSpiffeSan() throws Exception {
    IssuedCertificate issued = Await.result(ca.sign(new SigningRequest(Csrs.forSpiffe(Csrs.ec(), Csrs.SPIFFE_A), SpiffeId.parse(Csrs.SPIFFE_A), null)));
    Path root = Files.writeString(dir.resolve("root.pem"), ca.rootsPem().get(0));
    Path leaf = Files.writeString(dir.resolve("leaf.pem"), issued.certificatePem());

    Result verify = run("openssl", "verify", "-CAfile", root.toString(), "-purpose", "sslserver", leaf.toString());
    assertEquals(0, verify.code, verify.output);
    assertTrue(verify.output.contains(": OK"), verify.output);
    Result client = run("openssl", "verify", "-CAfile", root.toString(), "-purpose", "sslclient", leaf.toString());
    assertEquals(0, client.code, client.output);

    Result text = run("openssl", "x509", "-in", leaf.toString(), "-noout", "-text");
    assertEquals(0, text.code, text.output);
    assertTrue(text.output.contains("URI:" + Csrs.SPIFFE_A), text.output);
    assertTrue(text.output.contains("TLS Web Server Authentication, TLS Web Client Authentication"), text.output);
    assertTrue(text.output.contains("CA:FALSE"), text.output);
    assertTrue(text.output.contains("Digital Signature, Key Encipherment"), text.output);
    assertTrue(text.output.contains("X509v3 Subject Alternative Name: critical"), text.output);
    assertTrue(text.output.contains(issued.serial().length() > 0 ? "Serial Number" : "?"), text.output);

    Path otherRoot = dir.resolve("other-root.pem");
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/O=other",
        "-keyout", dir.resolve("other-key.pem").toString(), "-out", otherRoot.toString(), "-days", "1");
    Result foreign = run("openssl", "verify", "-CAfile", otherRoot.toString(), leaf.toString());
    assertTrue(foreign.code != 0, "a foreign root must not verify the leaf: " + foreign.output);
  }

  @Test
  void aCsrMadeByOpensslIsSignedAndAForeignSanIsRefused() throws Exception {
    Path key = dir.resolve("key.pem");
    Path csr = dir.resolve("csr.pem");
    Result made = run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/",
        "-addext", "subjectAltName=URI:" + Csrs.SPIFFE_A, "-keyout", key.toString(), "-out", csr.toString());
    assertEquals(0, made.code, made.output);
    IssuedCertificate issued = Await.result(ca.sign(new SigningRequest(Files.readString(csr), SpiffeId.parse(Csrs.SPIFFE_A), null)));
    assertTrue(issued.certificatePem().startsWith("-----BEGIN CERTIFICATE-----"));

    Result injected = run("openssl", "req", "-new", "-key", key.toString(), "-subj", "/",
        "-addext", "subjectAltName=URI:" + Csrs.SPIFFE_A + ",DNS:istiod.istio-system.svc", "-out", csr.toString());
    assertEquals(0, injected.code, injected.output);
    Throwable refused = Await.failure(ca.sign(new SigningRequest(Files.readString(csr), SpiffeId.parse(Csrs.SPIFFE_A), null)));
    assertTrue(refused.getMessage().startsWith("IDENTITY_MISMATCH"), refused.getMessage());
  }

  record Result(int code, String output) {}

  private static Result run(String... command) throws Exception {
    Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "openssl did not finish in 30 s");
    return new Result(p.exitValue(), out);
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String d : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, program))) {
        return true;
      }
    }
    return false;
  }
}
