package io.mizzen.kernel.mixer.expr;

import io.mizzen.kernel.mixer.expr.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an expression into tokens. Strings are Go's: double-quoted with backslash escapes, or
 * back-quoted raw. Identifiers may contain {@code $} (Istio's {@code $out}); dots are separate
 * tokens, the parser joins attribute names.
 */
final class Lexer {
  private final String src;
  private int i;

  private Lexer(String src) {
    this.src = src;
  }

  /** The tokens of {@code src}, ending with EOF. @throws ExpressionException on a bad character or string */
  static List<Token> tokens(String src) {
    return new Lexer(src).run();
  }

  private List<Token> run() {
    List<Token> out = new ArrayList<>();
    while (true) {
      while (i < src.length() && Character.isWhitespace(src.charAt(i))) {
        i++;
      }
      if (i >= src.length()) {
        out.add(new Token(Kind.EOF, "", i));
        return out;
      }
      int start = i;
      char c = src.charAt(i);
      if (Character.isLetter(c) || c == '_' || c == '$') {
        while (i < src.length() && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_' || src.charAt(i) == '$')) {
          i++;
        }
        out.add(new Token(Kind.IDENT, src.substring(start, i), start));
      } else if (Character.isDigit(c)) {
        out.add(number(start));
      } else if (c == '"') {
        out.add(new Token(Kind.STRING, quoted(start), start));
      } else if (c == '`') {
        int end = src.indexOf('`', i + 1);
        if (end < 0) {
          throw error(start, "raw string is not closed");
        }
        out.add(new Token(Kind.STRING, src.substring(i + 1, end), start));
        i = end + 1;
      } else {
        out.add(operator(start, c));
      }
    }
  }

  private Token number(int start) {
    while (i < src.length() && Character.isDigit(src.charAt(i))) {
      i++;
    }
    boolean isDouble = false;
    if (i + 1 < src.length() && src.charAt(i) == '.' && Character.isDigit(src.charAt(i + 1))) {
      isDouble = true;
      i++;
      while (i < src.length() && Character.isDigit(src.charAt(i))) {
        i++;
      }
    }
    if (i < src.length() && (src.charAt(i) == 'e' || src.charAt(i) == 'E')) {
      int save = i;
      i++;
      if (i < src.length() && (src.charAt(i) == '+' || src.charAt(i) == '-')) {
        i++;
      }
      if (i < src.length() && Character.isDigit(src.charAt(i))) {
        isDouble = true;
        while (i < src.length() && Character.isDigit(src.charAt(i))) {
          i++;
        }
      } else {
        i = save;
      }
    }
    if (i < src.length() && (Character.isLetter(src.charAt(i)) || src.charAt(i) == '_')) {
      throw error(start, "a number cannot run into a name ('" + src.substring(start, Math.min(src.length(), i + 1))
          + "'); durations are written as strings, such as \"10s\"");
    }
    return new Token(isDouble ? Kind.DOUBLE : Kind.INT, src.substring(start, i), start);
  }

  private String quoted(int start) {
    StringBuilder sb = new StringBuilder();
    i++;
    while (i < src.length()) {
      char c = src.charAt(i++);
      if (c == '"') {
        return sb.toString();
      }
      if (c == '\\') {
        if (i >= src.length()) {
          break;
        }
        char e = src.charAt(i++);
        switch (e) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case 'r' -> sb.append('\r');
          case '\\' -> sb.append('\\');
          case '"' -> sb.append('"');
          case '\'' -> sb.append('\'');
          default -> throw error(i - 2, "unknown escape '\\" + e + "' in string");
        }
      } else {
        sb.append(c);
      }
    }
    throw error(start, "string is not closed");
  }

  private Token operator(int start, char c) {
    char n = i + 1 < src.length() ? src.charAt(i + 1) : '\0';
    Kind kind;
    int len = 1;
    switch (c) {
      case '(' -> kind = Kind.LPAREN;
      case ')' -> kind = Kind.RPAREN;
      case '[' -> kind = Kind.LBRACK;
      case ']' -> kind = Kind.RBRACK;
      case ',' -> kind = Kind.COMMA;
      case '.' -> kind = Kind.DOT;
      case '+' -> kind = Kind.PLUS;
      case '-' -> kind = Kind.MINUS;
      case '=' -> {
        if (n != '=') {
          throw error(start, "'=' is not an operator; compare with '=='");
        }
        kind = Kind.EQ;
        len = 2;
      }
      case '!' -> {
        kind = n == '=' ? Kind.NE : Kind.NOT;
        len = n == '=' ? 2 : 1;
      }
      case '<' -> {
        kind = n == '=' ? Kind.LE : Kind.LT;
        len = n == '=' ? 2 : 1;
      }
      case '>' -> {
        kind = n == '=' ? Kind.GE : Kind.GT;
        len = n == '=' ? 2 : 1;
      }
      case '&' -> {
        if (n != '&') {
          throw error(start, "'&' is not an operator; 'and' is '&&'");
        }
        kind = Kind.AND;
        len = 2;
      }
      case '|' -> {
        kind = n == '|' ? Kind.OR : Kind.PIPE;
        len = n == '|' ? 2 : 1;
      }
      case '\'' -> throw error(start, "strings are written in double quotes, not single quotes");
      default -> throw error(start, "unexpected character '" + c + "'");
    }
    i += len;
    return new Token(kind, src.substring(start, start + len), start);
  }

  private ExpressionException error(int pos, String message) {
    return new ExpressionException(src, List.of(new ExpressionError(pos, message)));
  }
}
