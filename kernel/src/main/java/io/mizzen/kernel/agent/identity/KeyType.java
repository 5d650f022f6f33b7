package io.mizzen.kernel.agent.identity;

/** The workload key types Citadel signs: ECDSA P-256 by default, RSA 2048 as Istio's option. */
public enum KeyType {
  EC_P256("EC", "SHA256withECDSA"),
  RSA_2048("RSA", "SHA256withRSA");

  private final String algorithm;
  private final String signature;

  KeyType(String algorithm, String signature) {
    this.algorithm = algorithm;
    this.signature = signature;
  }

  /** The JCA key algorithm. */
  public String algorithm() {
    return algorithm;
  }

  /** The JCA signature the CSR is signed with. */
  public String signature() {
    return signature;
  }
}
