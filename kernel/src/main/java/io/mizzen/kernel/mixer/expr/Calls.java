package io.mizzen.kernel.mixer.expr;

import io.mizzen.spi.mixer.AttributeBag;
import java.util.Map;
import java.util.regex.Pattern;

/** The evaluators of function calls: conditional, the string predicates, the conversions. */
final class Calls {
  private Calls() {}

  static final class Conditional extends Eval {
    private final Eval test;
    private final Eval then;
    private final Eval otherwise;

    Conditional(String label, Eval test, Eval then, Eval otherwise) {
      super(label);
      this.test = test;
      this.then = then;
      this.otherwise = otherwise;
    }

    @Override
    Object eval(AttributeBag bag) {
      return test.bool(bag) ? then.eval(bag) : otherwise.eval(bag);
    }
  }

  /** Two-string predicates: match, startsWith, endsWith, and matches with a varying pattern. */
  static final class StringTest extends Eval {
    private final String function;
    private final Eval a;
    private final Eval b;

    StringTest(String label, String function, Eval a, Eval b) {
      super(label);
      this.function = function;
      this.a = a;
      this.b = b;
    }

    @Override
    Object eval(AttributeBag bag) {
      String x = (String) a.need(bag);
      String y = (String) b.need(bag);
      return switch (function) {
        case "match" -> Functions.glob(x, y);
        case "startsWith" -> x.startsWith(y);
        case "endsWith" -> x.endsWith(y);
        default -> {
          try {
            yield Pattern.compile(x).matcher(y).find();
          } catch (java.util.regex.PatternSyntaxException e) {
            throw new EvaluationException("invalid regular expression '" + x + "': " + e.getDescription());
          }
        }
      };
    }
  }

  /** {@code matches} with a literal pattern, compiled once. */
  static final class RegexMatch extends Eval {
    private final Pattern pattern;
    private final Eval value;

    RegexMatch(String label, Pattern pattern, Eval value) {
      super(label);
      this.pattern = pattern;
      this.value = value;
    }

    @Override
    Object eval(AttributeBag bag) {
      return pattern.matcher((String) value.need(bag)).find();
    }
  }

  /** ip, timestamp, email, dnsName, uri, toLower, size over a varying argument. */
  static final class Convert extends Eval {
    private final String function;
    private final Eval x;

    Convert(String label, String function, Eval x) {
      super(label);
      this.function = function;
      this.x = x;
    }

    @Override
    Object eval(AttributeBag bag) {
      Object v = x.need(bag);
      switch (function) {
        case "toLower":
          return ((String) v).toLowerCase(java.util.Locale.ROOT);
        case "size":
          return v instanceof String s ? (long) s.length() : (long) ((Map<?, ?>) v).size();
        default:
          try {
            return Functions.convert(function, (String) v);
          } catch (IllegalArgumentException e) {
            throw new EvaluationException(function + "(): " + e.getMessage());
          }
      }
    }
  }
}
