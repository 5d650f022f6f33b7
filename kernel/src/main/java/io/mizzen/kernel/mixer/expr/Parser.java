package io.mizzen.kernel.mixer.expr;

import io.mizzen.kernel.mixer.expr.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Recursive descent with Go's precedences, as Istio's parser has them: {@code ||} below
 * {@code &&} below comparisons below {@code + - |}, then unary {@code ! -}, then postfix
 * ({@code [key]}, {@code .method(args)}). So {@code a | b == "x"} is {@code (a | b) == "x"}.
 */
final class Parser {
  /** Deep nesting is refused rather than risking the stack on hostile input. */
  private static final int MAX_DEPTH = 200;

  private final String src;
  private final List<Token> tokens;
  private int p;
  private int depth;

  private Parser(String src) {
    this.src = src;
    this.tokens = Lexer.tokens(src);
  }

  /** The AST of {@code src}. @throws ExpressionException with the position of the first error */
  static Node parse(String src) {
    Parser parser = new Parser(src);
    if (parser.peek().kind() == Kind.EOF) {
      throw parser.error(0, "expression is empty");
    }
    Node n = parser.expression();
    if (parser.peek().kind() != Kind.EOF) {
      throw parser.error(parser.peek().pos(), "unexpected '" + parser.peek().text() + "' after a complete expression");
    }
    return n;
  }

  private Node expression() {
    if (++depth > MAX_DEPTH) {
      throw error(peek().pos(), "expression nests deeper than " + MAX_DEPTH + " levels");
    }
    try {
      return binary(1);
    } finally {
      depth--;
    }
  }

  private static int precedence(Kind k) {
    return switch (k) {
      case OR -> 1;
      case AND -> 2;
      case EQ, NE, LT, LE, GT, GE -> 3;
      case PLUS, MINUS, PIPE -> 4;
      default -> -1;
    };
  }

  private Node binary(int minPrec) {
    Node left = unary();
    while (true) {
      Token op = peek();
      int prec = precedence(op.kind());
      if (prec < minPrec) {
        return left;
      }
      p++;
      Node right = binary(prec + 1);
      left = new Node.Binary(op.pos(), op.kind(), left, right);
    }
  }

  private Node unary() {
    Token t = peek();
    if (t.kind() == Kind.NOT || t.kind() == Kind.MINUS) {
      p++;
      if (++depth > MAX_DEPTH) {
        throw error(t.pos(), "expression nests deeper than " + MAX_DEPTH + " levels");
      }
      try {
        return new Node.Unary(t.pos(), t.kind(), unary());
      } finally {
        depth--;
      }
    }
    return postfix(primary());
  }

  private Node postfix(Node n) {
    while (true) {
      Token t = peek();
      if (t.kind() == Kind.LBRACK) {
        p++;
        Node key = expression();
        expect(Kind.RBRACK, "']' to close the map access opened at column " + (t.pos() + 1));
        n = new Node.Index(t.pos(), n, key);
      } else if (t.kind() == Kind.DOT) {
        p++;
        Token name = expect(Kind.IDENT, "a method name after '.'");
        if (peek().kind() != Kind.LPAREN) {
          throw error(name.pos(), "'" + name.text() + "' must be called as a method, such as ." + name.text() + "(…)");
        }
        List<Node> args = new ArrayList<>();
        args.add(n);
        args.addAll(arguments());
        n = new Node.Call(name.pos(), name.text(), args);
      } else {
        return n;
      }
    }
  }

  private Node primary() {
    Token t = next();
    switch (t.kind()) {
      case STRING:
        return new Node.Literal(t.pos(), t.text());
      case INT:
        try {
          return new Node.Literal(t.pos(), Long.parseLong(t.text()));
        } catch (NumberFormatException e) {
          throw error(t.pos(), "integer " + t.text() + " does not fit in 64 bits");
        }
      case DOUBLE:
        return new Node.Literal(t.pos(), Double.parseDouble(t.text()));
      case LPAREN: {
        Node inner = expression();
        expect(Kind.RPAREN, "')' to close the '(' at column " + (t.pos() + 1));
        return inner;
      }
      case IDENT:
        return identifier(t);
      case EOF:
        throw error(t.pos(), "expression ends where an operand was expected");
      default:
        throw error(t.pos(), "unexpected '" + t.text() + "' where an operand was expected");
    }
  }

  /** {@code a.b.c} is an attribute; {@code a.b.f(x)} calls f on attribute {@code a.b}; {@code f(x)} a function. */
  private Node identifier(Token first) {
    if (peek().kind() == Kind.LPAREN) {
      return new Node.Call(first.pos(), first.text(), arguments());
    }
    if (peek().kind() != Kind.DOT && (first.text().equals("true") || first.text().equals("false"))) {
      return new Node.Literal(first.pos(), Boolean.parseBoolean(first.text()));
    }
    StringBuilder name = new StringBuilder(first.text());
    while (peek().kind() == Kind.DOT && peekAt(1).kind() == Kind.IDENT) {
      if (peekAt(2).kind() == Kind.LPAREN) {
        p++;
        Token method = next();
        List<Node> args = new ArrayList<>();
        args.add(new Node.Attribute(first.pos(), name.toString()));
        args.addAll(arguments());
        return new Node.Call(method.pos(), method.text(), args);
      }
      p++;
      name.append('.').append(next().text());
    }
    return new Node.Attribute(first.pos(), name.toString());
  }

  private List<Node> arguments() {
    Token open = expect(Kind.LPAREN, "'('");
    List<Node> args = new ArrayList<>();
    if (peek().kind() == Kind.RPAREN) {
      p++;
      return args;
    }
    while (true) {
      args.add(expression());
      Token t = next();
      if (t.kind() == Kind.RPAREN) {
        return args;
      }
      if (t.kind() != Kind.COMMA) {
        throw error(t.pos(), "expected ',' or ')' in the arguments opened at column " + (open.pos() + 1)
            + ", found " + describe(t));
      }
    }
  }

  private Token expect(Kind kind, String what) {
    Token t = next();
    if (t.kind() != kind) {
      throw error(t.pos(), "expected " + what + ", found " + describe(t));
    }
    return t;
  }

  private static String describe(Token t) {
    return t.kind() == Kind.EOF ? "the end" : "'" + t.text() + "'";
  }

  private Token peek() {
    return tokens.get(p);
  }

  private Token peekAt(int ahead) {
    return tokens.get(Math.min(p + ahead, tokens.size() - 1));
  }

  private Token next() {
    Token t = tokens.get(p);
    if (t.kind() != Kind.EOF) {
      p++;
    }
    return t;
  }

  private ExpressionException error(int pos, String message) {
    return new ExpressionException(src, List.of(new ExpressionError(pos, message)));
  }
}
