package io.mizzen.kernel.mixer.expr;

import java.util.List;

/** The parsed form of an expression; every node keeps the offset it starts at. */
sealed interface Node {
  int pos();

  /** A literal: a string (unquoted), an integer, a double or a boolean. */
  record Literal(int pos, Object value) implements Node {}

  /** An attribute by its full dotted name, such as {@code destination.service.host}. */
  record Attribute(int pos, String name) implements Node {}

  /** Map access {@code target[key]}. */
  record Index(int pos, Node target, Node key) implements Node {}

  /** A function call; a method call {@code a.f(b)} is {@code f(a, b)}. */
  record Call(int pos, String function, List<Node> args) implements Node {
    public Call {
      args = List.copyOf(args);
    }
  }

  /** {@code !x} or {@code -x}. */
  record Unary(int pos, Token.Kind op, Node operand) implements Node {}

  /** A binary operator; {@code pos} is the operator's own offset, where errors point. */
  record Binary(int pos, Token.Kind op, Node left, Node right) implements Node {}
}
