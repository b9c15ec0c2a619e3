import Testing
@testable import AWSSim
import SimCore

/// Pure tests of the wire layer: no sockets.
@Suite struct SigV4Tests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let credentials = CredentialStore(secrets: ["AKIAIOSFODNN7EXAMPLE": secret])
    /// 2013-05-24T00:00:00Z, the date of AWS's published examples.
    static let exampleTime = SigV4.parseAmzDate("20130524T000000Z") ?? 0

    /// "Example: GET Object" from AmazonS3/latest/API/sig-v4-header-based-auth.html.
    @Test func awsPublishedGetObjectExampleVerifies() throws {
        let request = WireRequest(method: "GET", target: "/test.txt", headers: [
            ("Host", "examplebucket.s3.amazonaws.com"),
            ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", SigV4.emptySHA256),
            ("x-amz-date", "20130524T000000Z"),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
        ])
        let verified = try SigV4.verify(request, credentials: Self.credentials, nowUnixSeconds: Self.exampleTime)
        #expect(verified.identity == SigV4Identity(accessKeyId: "AKIAIOSFODNN7EXAMPLE", date: "20130524", region: "us-east-1", service: "s3"))
    }

    @Test func aChangedHeaderBreaksTheSignature() {
        let request = WireRequest(method: "GET", target: "/test.txt", headers: [
            ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-99"),
            ("x-amz-content-sha256", SigV4.emptySHA256), ("x-amz-date", "20130524T000000Z"),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
        ])
        let error = #expect(throws: SigV4Error.self) {
            try SigV4.verify(request, credentials: Self.credentials, nowUnixSeconds: Self.exampleTime)
        }
        #expect(error?.code == "SignatureDoesNotMatch")
        #expect(error?.status == 403)
    }

    @Test func requestsOutsideFifteenMinutesAreTooSkewed() {
        let request = WireRequest(method: "GET", target: "/test.txt", headers: [
            ("Host", "examplebucket.s3.amazonaws.com"), ("x-amz-content-sha256", SigV4.emptySHA256),
            ("x-amz-date", "20130524T000000Z"),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=00"),
        ])
        let error = #expect(throws: SigV4Error.self) {
            try SigV4.verify(request, credentials: Self.credentials, nowUnixSeconds: Self.exampleTime + 16 * 60)
        }
        #expect(error?.code == "RequestTimeTooSkewed")
    }

    @Test func unknownAccessKeysAreRejected() {
        let request = WireRequest(method: "GET", target: "/", headers: [
            ("Host", "s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIANOBODY0000000000/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-date,Signature=00"),
        ])
        let error = #expect(throws: SigV4Error.self) {
            try SigV4.verify(request, credentials: Self.credentials, nowUnixSeconds: Self.exampleTime)
        }
        #expect(error?.code == "InvalidAccessKeyId")
    }

    /// "Example: GET Object" with a presigned URL, AmazonS3/latest/API/sigv4-query-string-auth.html.
    @Test func awsPublishedPresignedURLExampleVerifies() throws {
        let target = "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        let request = WireRequest(method: "GET", target: target, headers: [("Host", "examplebucket.s3.amazonaws.com")])
        _ = try SigV4.verify(request, credentials: Self.credentials, nowUnixSeconds: Self.exampleTime + 3600)
        let error = #expect(throws: SigV4Error.self) {
            try SigV4.verify(request, credentials: Self.credentials, nowUnixSeconds: Self.exampleTime + 86_401)
        }
        #expect(error?.message == "Request has expired")
    }

    /// The signed-chunk example of AmazonS3/latest/API/sigv4-streaming.html: 66,560 bytes of 'a' in
    /// chunks of 65,536 and 1,024 bytes, seed signature 4f232c43…, chunk signatures as published.
    @Test func awsPublishedStreamingExampleDecodes() throws {
        var body = [UInt8]()
        func chunk(_ size: Int, _ signature: String) {
            body += Array("\(String(size, radix: 16));chunk-signature=\(signature)\r\n".utf8)
            body += [UInt8](repeating: 97, count: size)
            body += Array("\r\n".utf8)
        }
        chunk(65_536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648")
        chunk(1024, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497")
        body += Array("0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n".utf8)
        let request = WireRequest(method: "PUT", target: "/examplebucket/chunkObject.txt", headers: [
            ("Host", "s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), ("Content-Encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"), ("Content-Length", "66824"),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"),
        ], body: body)
        let verified = try SigV4.verify(request, credentials: Self.credentials, nowUnixSeconds: Self.exampleTime)
        #expect(verified.body == [UInt8](repeating: 97, count: 66_560))
        // One flipped byte in a chunk breaks that chunk's signature.
        var tampered = request
        tampered.body[200] = 98
        let error = #expect(throws: SigV4Error.self) {
            try SigV4.verify(tampered, credentials: Self.credentials, nowUnixSeconds: Self.exampleTime)
        }
        #expect(error?.code == "SignatureDoesNotMatch")
    }
}

@Suite struct WireFormatTests {
    @Test(arguments: [
        (S3ChecksumAlgorithm.crc32, "y/Q5Jg=="), (.crc32c, "4waSgw=="), (.crc64nvme, "rosUhgp5mIg="),
        (.sha1, "98O8HYCOBHMq32eZZczDTKeuNEE="), (.sha256, "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU="),
    ])
    func checksumsMatchTheirCheckValues(algorithm: S3ChecksumAlgorithm, expected: String) {
        // The standard check input "123456789" (CRC catalogue check values, base64 of big-endian bytes).
        #expect(algorithm.checksum(of: Array("123456789".utf8)) == expected)
    }

    @Test func base64RoundTripsAndRejectsGarbage() {
        for length in 0..<10 {
            let bytes = (0..<length).map { UInt8($0 * 37 & 255) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.decode("abc") == nil)
        #expect(Base64.decode("ab=c") == nil)
    }

    @Test func datesPrintAsAWSPrintsThem() {
        let time = SigV4.parseAmzDate("20261127T041228Z") ?? 0
        #expect(HTTPDate.rfc1123(unixSeconds: time) == "Fri, 27 Nov 2026 04:12:28 GMT")
        #expect(HTTPDate.iso8601(unixMilliseconds: time * 1000 + 5) == "2026-11-27T04:12:28.005Z")
        #expect(HTTPDate.parseRFC1123("Fri, 27 Nov 2026 04:12:28 GMT") == time)
    }

    @Test func xmlRoundTripsThroughLibxml2() throws {
        let element = XMLElement("Delete", children: [XMLElement("Object", children: [.leaf("Key", "a&b<c>\"é")])])
        let bytes = XMLCodec.write(element)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""))
        let parsed = try XMLCodec.parse(bytes).get()
        #expect(parsed.child("Object")?.child("Key")?.text == "a&b<c>\"é")
    }

    @Test func xmlWithADoctypeIsRefused() {
        let bomb = Array(#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><d>&b;</d>"#.utf8)
        #expect(XMLCodec.parse(bomb) == .failure(.documentTypeNotAllowed))
        let external = Array(#"<!doctype x SYSTEM "file:///etc/passwd"><x/>"#.utf8)
        #expect(XMLCodec.parse(external) == .failure(.documentTypeNotAllowed))
        #expect(XMLCodec.parse(Array("<a>".utf8)) == .failure(.malformed))
        #expect(XMLCodec.parse([]) == .failure(.malformed))
    }

    @Test(arguments: [
        ("bytes=0-9", 100, S3RestAdapter.ByteRange.range(0, 9)), ("bytes=90-", 100, .range(90, 99)),
        ("bytes=-10", 100, .range(90, 99)), ("bytes=95-200", 100, .range(95, 99)), ("bytes=100-", 100, .unsatisfiable),
        ("bytes=5-2", 100, .whole), ("bytes=0-1,5-6", 100, .whole), ("items=0-1", 100, .whole),
        ("bytes=99999999999999999999999-", 100, .unsatisfiable), ("bytes=-99999999999999999999999", 100, .range(0, 99)),
        ("bytes=10-99999999999999999999999", 100, .range(10, 99)), ("bytes=+1-2", 100, .whole), ("bytes=1-+2", 100, .whole),
        ("bytes=-0", 100, .whole), ("bytes=-", 100, .whole),
    ])
    func rangesParseAsS3ParsesThem(header: String, size: Int, expected: S3RestAdapter.ByteRange) {
        #expect(S3RestAdapter.byteRange(header, size: size) == expected)
    }

    @Test func addressingIsVirtualHostedOnlyUnderABaseDomain() throws {
        func address(_ host: String, _ target: String) throws -> S3RestAdapter.Address {
            try S3RestAdapter.address(of: WireRequest(method: "GET", target: target, headers: [("Host", host)]),
                                      baseDomains: ["localhost"]).get()
        }
        #expect(try address("127.0.0.1:4566", "/b/k/x%20y") == .init(bucket: "b", key: "k/x y"))
        #expect(try address("b.localhost:4566", "/k") == .init(bucket: "b", key: "k", isVirtualHosted: true))
        #expect(try address("my.bucket.localhost", "/") == .init(bucket: "my.bucket", key: nil, isVirtualHosted: true))
        #expect(try address("127.0.0.1", "/") == .init(bucket: nil, key: nil))
    }
}

@Suite struct S3RestAdapterTests {
    func context() -> S3WireContext {
        S3WireContext(now: .zero, epochUnixMilliseconds: 1_795_000_000_000, requestId: "REQ1", baseDomains: ["localhost"],
                      regions: ["us-west-2"], signingRegion: "us-west-2")
    }

    @Test func errorsCarryS3sXMLShapeAndRequestIds() {
        var s3 = S3Service(random: SimRandom(seed: 1))
        let request = WireRequest(method: "GET", target: "/missing/key", headers: [("Host", "127.0.0.1")])
        let response = S3RestAdapter.handle(request, body: [], s3: &s3, context: context())
        #expect(response.status == 404)
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text.contains("<Error><Code>NoSuchBucket</Code>"))
        #expect(text.contains("<BucketName>missing</BucketName>"))
        #expect(text.contains("<RequestId>REQ1</RequestId>"))
        #expect(response.header("x-amz-request-id") == "REQ1")
        #expect(response.header("x-amz-id-2") != nil)
    }

    @Test func headErrorsHaveNoBody() throws {
        var s3 = S3Service(random: SimRandom(seed: 1))
        try s3.createBucket("b-1", region: "us-west-2")
        let response = S3RestAdapter.handle(WireRequest(method: "HEAD", target: "/b-1/nope", headers: []), body: [],
                                            s3: &s3, context: context())
        #expect(response.status == 404)
        #expect(response.body.isEmpty)
    }

    @Test func unsupportedSubresourcesSayNotImplemented() throws {
        var s3 = S3Service(random: SimRandom(seed: 1))
        try s3.createBucket("b-1", region: "us-west-2")
        let response = S3RestAdapter.handle(WireRequest(method: "GET", target: "/b-1?lifecycle", headers: []), body: [],
                                            s3: &s3, context: context())
        #expect(response.status == 501)
        #expect(String(decoding: response.body, as: UTF8.self).contains("?lifecycle is not simulated yet"))
    }

    @Test func listingWithURLEncodingEncodesKeys() throws {
        var s3 = S3Service(random: SimRandom(seed: 1))
        try s3.createBucket("b-1", region: "us-west-2")
        try s3.putObject(bucket: "b-1", key: "a b+c%", body: [], now: .zero)
        let response = S3RestAdapter.handle(WireRequest(method: "GET", target: "/b-1?list-type=2&encoding-type=url", headers: []),
                                            body: [], s3: &s3, context: context())
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text.contains("<Key>a%20b%2Bc%25</Key>"))
        #expect(text.contains("<EncodingType>url</EncodingType>"))
        #expect(text.contains("<LastModified>2026-11-18T"))
    }
}
