package io.mizzen.kernel.citadel;

import io.mizzen.spi.ca.SpiffeId;
import java.io.IOException;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * The control plane's own look at the names a CSR asks for, before any CA plugin sees it: the
 * one property that must never depend on a plugin getting it right is that nobody is certified
 * as someone else. The CA plugin repeats this and checks keys and signatures in depth.
 */
final class CsrNames {
  private CsrNames() {}

  /** @throws CsrRefusedException unless every name in the CSR is exactly {@code identity} */
  static void requireOnly(String csrPem, SpiffeId identity, int maxBytes) {
    try {
      check(csrPem, identity, maxBytes);
    } catch (CsrRefusedException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new CsrRefusedException(CsrRefusal.MALFORMED_CSR, "CSR names are unreadable: " + e.getMessage());
    }
  }

  private static void check(String csrPem, SpiffeId identity, int maxBytes) {
    if (csrPem == null || csrPem.isBlank()) {
      throw new CsrRefusedException(CsrRefusal.MALFORMED_CSR, "no CSR in the request");
    }
    if (csrPem.length() > maxBytes) {
      throw new CsrRefusedException(CsrRefusal.CSR_TOO_LARGE, "CSR is " + csrPem.length() + " characters, the limit is " + maxBytes);
    }
    PKCS10CertificationRequest csr;
    try {
      String body = csrPem.strip();
      String begin = "-----BEGIN CERTIFICATE REQUEST-----";
      String end = "-----END CERTIFICATE REQUEST-----";
      if (!body.startsWith(begin) || !body.endsWith(end)) {
        throw new CsrRefusedException(CsrRefusal.MALFORMED_CSR, "CSR must be one PEM CERTIFICATE REQUEST block");
      }
      byte[] der = Base64.getDecoder().decode(body.substring(begin.length(), body.length() - end.length()).replaceAll("\\s", ""));
      csr = new PKCS10CertificationRequest(der);
    } catch (IOException | IllegalArgumentException e) {
      if (e instanceof CsrRefusedException refused) {
        throw refused;
      }
      throw new CsrRefusedException(CsrRefusal.MALFORMED_CSR, "CSR is not readable PKCS#10: " + e.getMessage());
    }
    for (RDN rdn : csr.getSubject().getRDNs()) {
      for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
        if (atv.getType().equals(BCStyle.CN) && !IETFUtils.valueToString(atv.getValue()).equals(identity.uri())) {
          throw new CsrRefusedException(CsrRefusal.IDENTITY_MISMATCH, "subject CN '" + IETFUtils.valueToString(atv.getValue())
              + "' is not " + identity.uri());
        }
      }
    }
    for (Attribute attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
      for (int i = 0; i < attribute.getAttrValues().size(); i++) {
        Extensions extensions;
        try {
          extensions = Extensions.getInstance(attribute.getAttrValues().getObjectAt(i));
        } catch (IllegalArgumentException e) {
          throw new CsrRefusedException(CsrRefusal.MALFORMED_CSR, "extension request is unreadable: " + e.getMessage());
        }
        Extension san = extensions.getExtension(Extension.subjectAlternativeName);
        if (san == null) {
          continue;
        }
        for (GeneralName name : GeneralNames.getInstance(san.getParsedValue()).getNames()) {
          boolean same = name.getTagNo() == GeneralName.uniformResourceIdentifier && name.getName().toString().equals(identity.uri());
          if (!same) {
            throw new CsrRefusedException(CsrRefusal.IDENTITY_MISMATCH, "CSR asks for " + describe(name)
                + " but the credential proves " + identity.uri());
          }
        }
      }
    }
  }

  private static String describe(GeneralName name) {
    return switch (name.getTagNo()) {
      case GeneralName.uniformResourceIdentifier -> "URI " + name.getName();
      case GeneralName.dNSName -> "DNS " + name.getName();
      case GeneralName.iPAddress -> "an IP address";
      case GeneralName.rfc822Name -> "email " + name.getName();
      default -> "a name of type " + name.getTagNo();
    };
  }
}
