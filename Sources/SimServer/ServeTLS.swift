import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The TLS identity of `serve --tls`: a certificate authority made at start
/// and the AWS endpoint's certificate it signs (for `localhost` and
/// 127.0.0.1). Clients trust the CA's PEM file (`aws --ca-bundle`,
/// `AWS_CA_BUNDLE`, boto3's `verify=`); nothing is kept between runs.
///
/// Two certificates rather than one self-signed leaf: OpenSSL's strict
/// verification (Python 3.13's default context sets `VERIFY_X509_STRICT`)
/// wants a CA with key usage and key identifiers, and a leaf that is not a CA.
public struct ServeTLSIdentity: Sendable {
    /// The CA certificate, PEM: what clients trust.
    public let certificateAuthorityPEM: String
    let leafDER: [UInt8]
    let leafKeyDER: [UInt8]

    /// Makes a CA and a server certificate valid from an hour before `now` for 30 days.
    public static func generate(now: Date = Date()) throws -> ServeTLSIdentity {
        let caKey = P256.Signing.PrivateKey()
        let caPrivate = Certificate.PrivateKey(caKey)
        let caName = try DistinguishedName {
            OrganizationName("odas-sim")
            CommonName("odas-sim serve local CA")
        }
        let caKeyIdentifier = Array(Insecure.SHA1.hash(data: caKey.publicKey.x963Representation))
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: caPrivate.publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(30 * 86_400),
            issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(keyIdentifier: ArraySlice(caKeyIdentifier))
            },
            issuerPrivateKey: caPrivate)

        let leafKey = P256.Signing.PrivateKey()
        let leafPrivate = Certificate.PrivateKey(leafKey)
        let leafName = try DistinguishedName {
            OrganizationName("odas-sim")
            CommonName("localhost")
        }
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: leafPrivate.publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(30 * 86_400),
            issuer: caName, subject: leafName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectKeyIdentifier(keyIdentifier: ArraySlice(Insecure.SHA1.hash(data: leafKey.publicKey.x963Representation)))
                AuthorityKeyIdentifier(keyIdentifier: ArraySlice(caKeyIdentifier))
                SubjectAlternativeNames([.dnsName("localhost"), .dnsName("*.localhost"), .dnsName("s3.localhost"),
                                         .dnsName("*.s3.localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
            },
            issuerPrivateKey: caPrivate)
        var serializer = DER.Serializer()
        try serializer.serialize(leaf)
        return ServeTLSIdentity(certificateAuthorityPEM: try ca.serializeAsPEM().pemString,
                                leafDER: serializer.serializedBytes, leafKeyDER: Array(leafKey.derRepresentation))
    }

    /// The server side of TLS for the AWS endpoint (TLS 1.2 and 1.3, as AWS endpoints offer).
    func serverContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: leafDER, format: .der))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: leafKeyDER, format: .der)))
        configuration.minimumTLSVersion = .tlsv12
        return try NIOSSLContext(configuration: configuration)
    }
}
