package io.mizzen.kernel.mixer.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mizzen.spi.mixer.AttributeBag;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The expression language, case by case, from {@code expressions.tsv}: each row is an
 * expression and either its type and value against {@link ExpressionFixture#bag()}, a config-time
 * error (column and message fragment), or an evaluation failure for an absent attribute.
 */
class ExpressionTableTest {
  private static final ExpressionCompiler COMPILER = ExpressionCompiler.of(ExpressionFixture.VOCABULARY);
  private static final AttributeBag BAG = ExpressionFixture.bag();

  static List<Arguments> rows() throws Exception {
    List<Arguments> out = new ArrayList<>();
    try (var in = new BufferedReader(new InputStreamReader(
        Objects.requireNonNull(ExpressionTableTest.class.getResourceAsStream("expressions.tsv")), StandardCharsets.UTF_8))) {
      String line;
      int n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.startsWith("#") || line.isEmpty()) {
          continue;
        }
        int tab = line.lastIndexOf('\t');
        if (tab < 0) {
          throw new IllegalStateException("expressions.tsv line " + n + " has no tab");
        }
        out.add(Arguments.of(n, line.substring(0, tab), line.substring(tab + 1)));
      }
    }
    return out;
  }

  @Test
  void tableHasAtLeast150Cases() throws Exception {
    List<Arguments> rows = rows();
    assertTrue(rows.size() >= 150, "only " + rows.size() + " cases");
    long invalid = rows.stream().filter(a -> a.get()[2].toString().startsWith("ERROR")).count();
    assertTrue(invalid >= 50, "only " + invalid + " invalid cases");
  }

  @ParameterizedTest(name = "line {0}: {1} → {2}")
  @MethodSource("rows")
  void expression(int line, String expression, String expected) {
    String[] parts = expected.split(" ", 3);
    switch (parts[0]) {
      case "ERROR" -> {
        ExpressionException e = assertThrows(ExpressionException.class, () -> COMPILER.compile(expression),
            "line " + line + " should not compile");
        ExpressionError first = e.errors().get(0);
        assertEquals(Integer.parseInt(parts[1]), first.column(), "line " + line + ": " + e.getMessage());
        assertTrue(first.message().contains(parts[2]), "line " + line + ": expected '" + parts[2] + "' in " + e.getMessage());
      }
      case "ABSENT" -> {
        CompiledExpression c = COMPILER.compile(expression);
        EvaluationException e = assertThrows(EvaluationException.class, () -> c.evaluate(BAG), "line " + line);
        assertTrue(e.getMessage().contains(expected.substring("ABSENT ".length())),
            "line " + line + ": expected '" + expected.substring(7) + "' in " + e.getMessage());
      }
      default -> {
        CompiledExpression c;
        try {
          c = COMPILER.compile(expression);
        } catch (ExpressionException e) {
          fail("line " + line + " should compile: " + e.getMessage());
          return;
        }
        assertEquals(parts[0], c.type().name(), "line " + line + " type");
        String value = expected.substring(parts[0].length() + 1);
        assertEquals(value, ExpressionFixture.render(c.evaluate(BAG)), "line " + line + " value");
      }
    }
  }
}
