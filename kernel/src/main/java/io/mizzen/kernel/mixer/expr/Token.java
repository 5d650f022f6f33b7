package io.mizzen.kernel.mixer.expr;

/**
 * One lexical token.
 *
 * @param kind what it is
 * @param text the identifier, the unquoted string, the number as written, or the operator
 * @param pos 0-based offset of its first character in the expression
 */
record Token(Kind kind, String text, int pos) {
  enum Kind {
    IDENT, STRING, INT, DOUBLE,
    LPAREN, RPAREN, LBRACK, RBRACK, COMMA, DOT,
    EQ, NE, AND, OR, LT, LE, GT, GE, PLUS, MINUS, PIPE, NOT,
    EOF
  }
}
