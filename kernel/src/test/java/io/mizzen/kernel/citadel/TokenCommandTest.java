package io.mizzen.kernel.citadel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TokenCommandTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new TokenCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void createPrintsATokenTheStoreVerifies() {
    Run created = run("--state-dir", dir.toString(), "create", "--sa", "reviews", "--ns", "bookinfo", "--ttl", "2h");
    assertEquals(0, created.code(), created.err());
    String token = created.out().strip();
    TokenStore.TokenInfo info = TokenStore.inFolder(dir, Clock.systemUTC()).verify(token);
    assertEquals("bookinfo", info.namespace());
    assertEquals("reviews", info.serviceAccount());
    assertTrue(created.err().contains("shown only now"), created.err());

    Run listed = run("--state-dir", dir.toString(), "list");
    assertEquals(0, listed.code());
    assertTrue(listed.out().contains(info.id()) && listed.out().contains("bookinfo"), listed.out());
    assertFalse(listed.out().contains(token), "list never shows secrets");

    assertEquals(0, run("--state-dir", dir.toString(), "revoke", info.id()).code());
    assertEquals(1, run("--state-dir", dir.toString(), "revoke", info.id()).code());
  }

  @Test
  void badArgumentsAreNamed() {
    Run badTtl = run("--state-dir", dir.toString(), "create", "--sa", "reviews", "--ttl", "soon");
    assertEquals(2, badTtl.code());
    assertTrue(badTtl.err().contains("--ttl") && badTtl.err().contains("soon"), badTtl.err());
    Run badSa = run("--state-dir", dir.toString(), "create", "--sa", "Not_Valid");
    assertEquals(2, badSa.code());
    assertTrue(badSa.err().contains("Not_Valid"), badSa.err());
    Run bare = run("--state-dir", dir.toString());
    assertEquals(2, bare.code());
    assertTrue(bare.err().contains("create, list or revoke"), bare.err());
    Run missing = run("--state-dir", dir.toString(), "create");
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("--sa"), missing.err());
  }
}
