import AWSSim
import Foundation
import NIOCore
import SimCore
import Testing
@testable import SimServer

/// How serve's endpoints judge callers and word refusals, without a socket
/// (the end-to-end suite sends the same refusals over the wire).
@Suite struct EndpointRulesTests {
    func request(_ headers: [(name: String, value: String)]) -> WireRequest {
        WireRequest(method: "GET", target: "/v1/state", headers: headers)
    }

    @Test(arguments: [
        ("127.0.0.1:4567", true), ("localhost", true), ("LOCALHOST:80", true), ("[::1]:8080", true), ("[::1]", true),
        ("evil.example", false), ("127.0.0.1.evil.example:80", false), ("localhost:80x", false), ("[::1", false),
        ("0.0.0.0:4567", false), ("", false),
    ])
    func loopbackHostNames(host: String, loopback: Bool) {
        #expect(LoopbackCaller.isLoopback(hostPort: host) == loopback)
    }

    @Test func webPagesAndRebindingHostsAreRefused() {
        #expect(LoopbackCaller.refusal(request([("Host", "127.0.0.1:1")])) == nil)
        #expect(LoopbackCaller.refusal(request([])) == nil)
        #expect(LoopbackCaller.refusal(request([("Host", "127.0.0.1"), ("Origin", "http://localhost:3000")])) == nil)
        #expect(LoopbackCaller.refusal(request([("Host", "rebind.example:4567")]))?.contains("not a loopback name") == true)
        for origin in ["https://evil.example", "null", "file://", "http://127.0.0.1.evil.example"] {
            #expect(LoopbackCaller.refusal(request([("Host", "127.0.0.1"), ("Origin", origin)]))?.contains("web pages") == true, "\(origin)")
        }
    }

    @Test func theControlTokenIsComparedWhole() {
        #expect(ControlToken.matches("abcdefghijklmnop", "abcdefghijklmnop"))
        #expect(!ControlToken.matches("abcdefghijklmnoq", "abcdefghijklmnop"))
        #expect(!ControlToken.matches("abcdefghijklmno", "abcdefghijklmnop"))
        #expect(!ControlToken.matches("abcdefghijklmnopq", "abcdefghijklmnop"))
        #expect(!ControlToken.matches("", "abcdefghijklmnop"))
        #expect(ControlToken.presented(in: request([("Authorization", "Bearer  tok ")])) == "tok")
        #expect(ControlToken.presented(in: request([("Authorization", "Basic dG9r")])) == nil)
    }

    @Test func imdsTokensAreRandomBoundToTheirInstanceAndExpire() {
        let tokens = InstanceMetadataTokens()
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
        let first = tokens.issue(instance: "node-1", ttlSeconds: 60, now: start)
        let second = tokens.issue(instance: "node-1", ttlSeconds: 60, now: start)
        #expect(first != second && first.count >= 40)
        #expect(tokens.isValid(first, instance: "node-1", now: start + .seconds(59)))
        #expect(!tokens.isValid(first, instance: "node-2", now: start))
        #expect(!tokens.isValid(first, instance: "node-1", now: start + .seconds(61)))
        #expect(!tokens.isValid(nil, instance: "node-1", now: start))
        #expect(!tokens.isValid("odas-sim-imds-token-node-1", instance: "node-1", now: start))
    }

    @Test func imdsTokensAreBounded() {
        let tokens = InstanceMetadataTokens()
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
        let oldest = tokens.issue(instance: "node-1", ttlSeconds: 1, now: start)
        for index in 0..<(InstanceMetadataTokens.capacity + 5) {
            _ = tokens.issue(instance: "node-1", ttlSeconds: 600, now: start + .milliseconds(Int64(index)))
        }
        #expect(tokens.grants.withLockedValue { $0.count } <= InstanceMetadataTokens.capacity)
        #expect(!tokens.isValid(oldest, instance: "node-1", now: start))
    }

    @Test func refusalsTakeEachProtocolsShape() throws {
        let s3 = WireRefusalShapes.s3(.headerSectionTooLarge(limit: 8192), resource: "/b/k")
        let xml = String(decoding: s3.body, as: UTF8.self)
        #expect(s3.status == 400 && xml.contains("<Code>RequestHeaderSectionTooLarge</Code>") && xml.contains("<MaxSizeAllowed>8192</MaxSizeAllowed>"))
        #expect(WireRefusalShapes.s3(.bodyTooLarge(limit: 5), resource: nil).status == 400)
        #expect(WireRefusalShapes.s3(.bufferBudget(limit: 5), resource: nil).status == 503)
        let iam = WireRefusalShapes.awsService(.bodyTooLarge(limit: 1 << 20), service: "iam", requestId: "R1")
        #expect(iam.status == 413 && String(decoding: iam.body, as: UTF8.self).contains("<Code>RequestEntityTooLarge</Code>"))
        let kms = WireRefusalShapes.awsService(.malformed("invalid chunk size"), service: "kms", requestId: "R2")
        let kmsBody = try #require(try JSONSerialization.jsonObject(with: Data(kms.body)) as? [String: Any])
        #expect(kms.status == 400 && kmsBody["__type"] as? String == "BadRequest")
        let kube = WireRefusalShapes.kubernetes(.bodyTooLarge(limit: 3 << 20))
        let status = try #require(try JSONSerialization.jsonObject(with: Data(kube.body)) as? [String: Any])
        #expect(kube.status == 413 && status["kind"] as? String == "Status" && status["reason"] as? String == "RequestEntityTooLarge"
                && status["message"] as? String == "limit is 3145728" && status["code"] as? Int == 413)
        #expect(WireRefusalShapes.kubernetes(.headerSectionTooLarge(limit: 1)).status == 431)
        #expect(WireRefusalShapes.json(.timeout).status == 408)
    }

    @Test func theHeaderSectionCountsTheRequestLineAndEveryField() {
        let bytes = WireEndpointRules.headerSectionBytes(method: "GET", target: "/a", headers: [("Host", "h"), ("X", "yy")])
        #expect(bytes == "GET /a HTTP/1.1\r\nHost: h\r\nX: yy\r\n\r\n".utf8.count)
    }
}
