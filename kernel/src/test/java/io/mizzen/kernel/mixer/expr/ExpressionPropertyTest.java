package io.mizzen.kernel.mixer.expr;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.mixer.AttributeBag;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random input never crashes the parser, the checker or the compiler: it either compiles or
 * fails with an {@link ExpressionException} whose errors point inside the text; and what compiles
 * evaluates to a value of its type or an {@link EvaluationException}, nothing else.
 */
class ExpressionPropertyTest {
  private static final ExpressionCompiler COMPILER = ExpressionCompiler.of(ExpressionFixture.VOCABULARY);
  private static final AttributeBag BAG = ExpressionFixture.bag();
  private static final List<String> PIECES = List.of(
      "request.path", "request.headers", "source.labels", "response.code", "response.duration",
      "source.ip", "connection.mtls", "source.user", "destination.labels", "request.time",
      "\"x-user\"", "\"10s\"", "\"abc\"", "\"10.0.0.1\"", "1", "2.5", "true", "false", "-",
      "==", "!=", "&&", "||", "<", "<=", ">", ">=", "+", "|", "!", "(", ")", "[", "]", ",", ".",
      "match", "matches", "startsWith", "endsWith", "ip", "timestamp", "email", "dnsName", "uri",
      "conditional", "toLower", "size", "emptyStringMap", "`raw`", "\"", "'", "=", "&", "#", "9e9", " ");

  @Property(tries = 2000)
  void arbitraryCharactersNeverCrash(@ForAll("noise") String text) {
    compileWithoutCrash(text);
  }

  @Property(tries = 3000)
  void tokenSoupNeverCrashes(@ForAll("soup") String text) {
    compileWithoutCrash(text);
  }

  @Provide
  Arbitrary<String> noise() {
    return Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40);
  }

  @Provide
  Arbitrary<String> soup() {
    return Arbitraries.of(PIECES).list().ofMaxSize(12).map(l -> String.join(" ", l));
  }

  private static void compileWithoutCrash(String text) {
    CompiledExpression compiled;
    try {
      compiled = COMPILER.compile(text);
    } catch (ExpressionException e) {
      assertFalse(e.errors().isEmpty(), "an ExpressionException must carry errors");
      for (ExpressionError error : e.errors()) {
        assertNotNull(error.message());
        assertTrue(error.position() >= 0 && error.position() <= text.length(),
            "error position " + error.position() + " outside '" + text + "'");
      }
      return;
    }
    try {
      Object v = compiled.evaluateOrAbsent(BAG);
      assertTrue(v == null || compiled.type().accepts(v), "'" + text + "' gave " + v + " for type " + compiled.type());
    } catch (EvaluationException expected) {
      assertNotNull(expected.getMessage());
    }
  }
}
