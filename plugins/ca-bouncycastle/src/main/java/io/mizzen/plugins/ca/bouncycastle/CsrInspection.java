package io.mizzen.plugins.ca.bouncycastle;

import static io.mizzen.spi.ca.SigningRefusedException.Reason.BAD_SIGNATURE;
import static io.mizzen.spi.ca.SigningRefusedException.Reason.CSR_TOO_LARGE;
import static io.mizzen.spi.ca.SigningRefusedException.Reason.IDENTITY_MISMATCH;
import static io.mizzen.spi.ca.SigningRefusedException.Reason.KEY_NOT_ALLOWED;
import static io.mizzen.spi.ca.SigningRefusedException.Reason.MALFORMED_CSR;

import io.mizzen.spi.ca.SigningRefusedException;
import io.mizzen.spi.ca.SpiffeId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Everything a CSR must pass before the CA signs it, in the order cheapest first: size, PEM
 * framing, PKCS#10 structure, key type and size, signature algorithm, self-signature, and names.
 * A workload may ask for nothing (the CA fills in its identity) or for exactly its proven
 * identity; any other name, anywhere in the CSR, is refused. Stateless and thread-safe.
 */
final class CsrInspection {
  private static final String PEM_TYPE = "CERTIFICATE REQUEST";
  private static final String PEM_TYPE_OLD = "NEW CERTIFICATE REQUEST";
  private static final Map<ASN1ObjectIdentifier, String> CURVES = Map.of(
      SECObjectIdentifiers.secp256r1, "P-256",
      SECObjectIdentifiers.secp384r1, "P-384");
  private static final Set<ASN1ObjectIdentifier> SIGNATURES = Set.of(
      X9ObjectIdentifiers.ecdsa_with_SHA256, X9ObjectIdentifiers.ecdsa_with_SHA384,
      X9ObjectIdentifiers.ecdsa_with_SHA512, PKCSObjectIdentifiers.sha256WithRSAEncryption,
      PKCSObjectIdentifiers.sha384WithRSAEncryption, PKCSObjectIdentifiers.sha512WithRSAEncryption);
  private static final int RSA_MIN_BITS = 2048;
  private static final int RSA_MAX_BITS = 8192;

  private final int maxBytes;
  private final boolean allowRsa;
  private final Provider crypto;

  /** @param crypto the provider that verifies signatures (BouncyCastle's: several times SunEC's speed) */
  CsrInspection(int maxBytes, boolean allowRsa, Provider crypto) {
    this.maxBytes = maxBytes;
    this.allowRsa = allowRsa;
    this.crypto = crypto;
  }

  /**
   * Checks {@code pem} for {@code identity}.
   *
   * @return the key to certify
   * @throws SigningRefusedException with the first reason found
   */
  SubjectPublicKeyInfo inspect(String pem, SpiffeId identity) {
    PKCS10CertificationRequest csr = parse(pem);
    SubjectPublicKeyInfo key = csr.getSubjectPublicKeyInfo();
    checkKey(key);
    if (!SIGNATURES.contains(csr.getSignatureAlgorithm().getAlgorithm())) {
      throw new SigningRefusedException(BAD_SIGNATURE, "signature algorithm "
          + csr.getSignatureAlgorithm().getAlgorithm() + " is not allowed (use ECDSA or RSA with SHA-256 or stronger)");
    }
    verifySignature(csr);
    checkSubject(csr, identity);
    checkAttributes(csr, identity);
    return key;
  }

  private PKCS10CertificationRequest parse(String pem) {
    byte[] bytes = pem.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > maxBytes) {
      throw new SigningRefusedException(CSR_TOO_LARGE, "CSR is " + bytes.length + " bytes, the limit is " + maxBytes);
    }
    String text = pem.strip();
    String type = text.startsWith("-----BEGIN " + PEM_TYPE + "-----") ? PEM_TYPE
        : text.startsWith("-----BEGIN " + PEM_TYPE_OLD + "-----") ? PEM_TYPE_OLD : null;
    if (type == null) {
      throw new SigningRefusedException(MALFORMED_CSR, "CSR must be one PEM block starting with -----BEGIN " + PEM_TYPE + "-----");
    }
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    if (!text.endsWith(end) || text.indexOf("-----", begin.length()) != text.length() - end.length()) {
      throw new SigningRefusedException(MALFORMED_CSR, "CSR must be exactly one PEM block ending with " + end);
    }
    String body = text.substring(begin.length(), text.length() - end.length()).replaceAll("[\\r\\n\\t ]", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new SigningRefusedException(MALFORMED_CSR, "CSR PEM body is not base64: " + e.getMessage());
    }
    try {
      // Parsing the primitive first refuses trailing bytes after the DER structure.
      ASN1Primitive.fromByteArray(der);
      PKCS10CertificationRequest csr = new PKCS10CertificationRequest(der);
      return csr;
    } catch (IOException | RuntimeException e) {
      throw new SigningRefusedException(MALFORMED_CSR, "CSR is not valid PKCS#10 DER: " + e.getMessage());
    }
  }

  private void checkKey(SubjectPublicKeyInfo key) {
    ASN1ObjectIdentifier alg = key.getAlgorithm().getAlgorithm();
    if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      ASN1Encodable params = key.getAlgorithm().getParameters();
      if (!(params instanceof ASN1ObjectIdentifier curve) || !CURVES.containsKey(curve)) {
        throw new SigningRefusedException(KEY_NOT_ALLOWED, "EC key on curve " + params + " is not allowed (use P-256 or P-384)");
      }
      return;
    }
    if (alg.equals(PKCSObjectIdentifiers.rsaEncryption)) {
      if (!allowRsa) {
        throw new SigningRefusedException(KEY_NOT_ALLOWED, "RSA keys are not allowed by this CA (use ECDSA P-256)");
      }
      int bits;
      try {
        bits = RSAPublicKey.getInstance(key.parsePublicKey()).getModulus().bitLength();
      } catch (IOException | RuntimeException e) {
        throw new SigningRefusedException(MALFORMED_CSR, "CSR's RSA public key is unreadable: " + e.getMessage());
      }
      if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
        throw new SigningRefusedException(KEY_NOT_ALLOWED, "RSA key of " + bits + " bits is not allowed (use "
            + RSA_MIN_BITS + " to " + RSA_MAX_BITS + ")");
      }
      return;
    }
    throw new SigningRefusedException(KEY_NOT_ALLOWED, "key algorithm " + alg + " is not allowed (use ECDSA P-256"
        + (allowRsa ? " or RSA 2048+" : "") + ")");
  }

  private void verifySignature(PKCS10CertificationRequest csr) {
    boolean valid;
    try {
      SubjectPublicKeyInfo spki = csr.getSubjectPublicKeyInfo();
      // JCA names, not OIDs: the JDK's providers know keys as "EC" and "RSA" only.
      String family = spki.getAlgorithm().getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey) ? "EC" : "RSA";
      PublicKey key = KeyFactory.getInstance(family, crypto).generatePublic(new X509EncodedKeySpec(spki.getEncoded()));
      ContentVerifierProvider verifier = new JcaContentVerifierProviderBuilder().setProvider(crypto).build(key);
      valid = csr.isSignatureValid(verifier);
    } catch (OperatorCreationException | PKCSException | GeneralSecurityException | IOException | RuntimeException e) {
      throw new SigningRefusedException(BAD_SIGNATURE, "CSR signature cannot be checked: " + e.getMessage());
    }
    if (!valid) {
      throw new SigningRefusedException(BAD_SIGNATURE, "CSR signature does not verify with the key it carries");
    }
  }

  /** The CA writes an empty subject; a CSR may carry O, and a CN only if it is the identity. */
  private static void checkSubject(PKCS10CertificationRequest csr, SpiffeId identity) {
    for (RDN rdn : csr.getSubject().getRDNs()) {
      for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
        ASN1ObjectIdentifier type = atv.getType();
        String value = IETFUtils.valueToString(atv.getValue());
        if (type.equals(BCStyle.CN)) {
          if (!value.equals(identity.uri())) {
            throw new SigningRefusedException(IDENTITY_MISMATCH, "subject CN '" + value
                + "' is not the proven identity " + identity.uri());
          }
        } else if (!type.equals(BCStyle.O)) {
          throw new SigningRefusedException(IDENTITY_MISMATCH, "subject attribute "
              + BCStyle.INSTANCE.oidToDisplayName(type) + " (" + type + ") is not allowed in a workload CSR");
        }
      }
    }
  }

  /** Only an extension request holding only a subjectAltName that is exactly the identity. */
  private static void checkAttributes(PKCS10CertificationRequest csr, SpiffeId identity) {
    var attributes = csr.getAttributes();
    for (var attribute : attributes) {
      if (!attribute.getAttrType().equals(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
        throw new SigningRefusedException(IDENTITY_MISMATCH, "CSR attribute " + attribute.getAttrType() + " is not allowed");
      }
    }
    if (attributes.length > 1) {
      throw new SigningRefusedException(IDENTITY_MISMATCH, "CSR carries " + attributes.length + " extension requests, at most one is allowed");
    }
    if (attributes.length == 0) {
      return;
    }
    Extensions extensions;
    try {
      var values = attributes[0].getAttrValues();
      if (values.size() != 1) {
        throw new SigningRefusedException(MALFORMED_CSR, "extension request must hold one set of extensions");
      }
      extensions = Extensions.getInstance(values.getObjectAt(0));
    } catch (IllegalArgumentException e) {
      if (e instanceof SigningRefusedException refused) {
        throw refused;
      }
      throw new SigningRefusedException(MALFORMED_CSR, "extension request is unreadable: " + e.getMessage());
    }
    for (ASN1ObjectIdentifier oid : extensions.getExtensionOIDs()) {
      if (!oid.equals(Extension.subjectAlternativeName)) {
        throw new SigningRefusedException(IDENTITY_MISMATCH, "CSR requests extension " + oid
            + "; a workload CSR may request subjectAltName only (the CA sets usages and constraints)");
      }
    }
    Extension san = extensions.getExtension(Extension.subjectAlternativeName);
    if (san == null) {
      return;
    }
    GeneralName[] names;
    try {
      names = GeneralNames.getInstance(san.getParsedValue()).getNames();
    } catch (IllegalArgumentException e) {
      throw new SigningRefusedException(MALFORMED_CSR, "subjectAltName is unreadable: " + e.getMessage());
    }
    if (names.length != 1) {
      throw new SigningRefusedException(IDENTITY_MISMATCH, "CSR asks for " + names.length
          + " subject alternative names; only the proven identity " + identity.uri() + " may be asked for");
    }
    GeneralName name = names[0];
    if (name.getTagNo() != GeneralName.uniformResourceIdentifier) {
      throw new SigningRefusedException(IDENTITY_MISMATCH, "CSR asks for a subject alternative name of type "
          + name.getTagNo() + " (" + name + "); only the URI " + identity.uri() + " is allowed");
    }
    String uri = name.getName().toString();
    if (!uri.equals(identity.uri())) {
      throw new SigningRefusedException(IDENTITY_MISMATCH, "CSR asks for " + uri + " but the credential proves " + identity.uri());
    }
  }
}
