import AWSSim
import Foundation
import KubeSim
import ODASModel
import Scenarios
import SimCore

/// The parsers a hostile client or scenario author reaches, each wrapped so
/// that any bytes can be fed to it. A target must return for every input —
/// an error is a fine answer; a crash, a hang or unbounded memory is a bug.
///
/// Driven three ways: by libFuzzer (`scripts/fuzz`, coverage-guided), by the
/// seeded mutator of `odas-fuzz mutate` (the short pass in the test suite),
/// and by `odas-fuzz replay` over the committed corpus and regression cases
/// (`Fuzz/corpus/<target>/`).
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A scenario file through the loader (YAML with its node and alias budgets, every section's checks).
    case scenario
    /// An HTTP request to S3: SigV4 parsing (header, presigned, aws-chunked bodies) then the REST adapter.
    case s3Request = "s3-request"
    /// An HTTP request to the Kubernetes API adapter (JSON, patches, selectors, paging tokens).
    case kubeRequest = "kube-request"
    /// An IAM policy document.
    case policy
    /// An XML document through libxml2 (S3 request bodies).
    case xml
    /// An ODAS row filter expression.
    case rowFilter = "row-filter"

    /// Feeds `bytes` to the target once.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .scenario: Self.scenario(bytes)
        case .s3Request: Self.s3Request(bytes)
        case .kubeRequest: Self.kubeRequest(bytes)
        case .policy: _ = try? PolicyDocument.parse(String(decoding: bytes, as: UTF8.self))
        case .xml: _ = XMLCodec.parse(bytes)
        case .rowFilter: _ = try? RowPredicate.parse(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Inputs longer than this are cut (each target has its own, larger, limits; fuzzing them is not the point).
    public var maximumLength: Int {
        switch self {
        case .scenario, .kubeRequest, .s3Request: return 64 << 10
        case .policy, .xml, .rowFilter: return 16 << 10
        }
    }

    static func scenario(_ bytes: [UInt8]) {
        // A file name in a scratch folder: manifest and template paths resolve there and find nothing.
        _ = try? ScenarioLoader.load(data: Data(bytes), file: "/nonexistent/odas-fuzz/scenario.yaml")
    }

    static func s3Request(_ bytes: [UInt8]) {
        let request = FuzzRequest.parse(bytes)
        var s3 = S3Service(random: SimRandom(seed: 1))
        try? s3.createBucket("fuzz-bucket", region: "us-west-2")
        _ = try? s3.putObject(bucket: "fuzz-bucket", key: "k", body: Array("0123456789".utf8), now: .zero)
        let credentials = CredentialStore(secrets: ["AKIAFUZZ": "fuzz-secret"], allowAnyCredentials: true)
        let verified = try? SigV4.verify(request, credentials: credentials, nowUnixSeconds: 1_800_000_000, v2Resource: String(request.rawPath))
        let context = S3WireContext(now: .zero, epochUnixMilliseconds: 1_800_000_000_000, requestId: "FUZZ", baseDomains: ["localhost"],
                                    regions: ["us-west-2", "us-east-1"], signingRegion: "us-west-2")
        _ = S3RestAdapter.handle(request, body: verified?.body ?? request.body, trailers: verified?.trailers ?? [], s3: &s3, context: context)
    }

    static func kubeRequest(_ bytes: [UInt8]) {
        let request = FuzzRequest.parse(bytes)
        var cluster = KubeCluster(random: SimRandom(seed: 1).stream("kube"))
        _ = KubeAPIAdapter.handle(request, cluster: &cluster, serverAddress: "127.0.0.1:6443")
    }
}

/// Bytes as an HTTP request, the way the server hands one to an adapter: a
/// request line `METHOD TARGET`, header lines `name: value` up to an empty
/// line, then the body. Whatever does not fit that shape still makes a
/// request (a missing target is `/`), so every input reaches the adapter.
public enum FuzzRequest {
    public static func parse(_ bytes: [UInt8]) -> WireRequest {
        var lines: [[UInt8]] = []
        var start = 0
        var bodyStart = bytes.count
        var index = 0
        while index < bytes.count {
            if bytes[index] == 10 {
                var line = Array(bytes[start..<index])
                if line.last == 13 { line.removeLast() }
                if line.isEmpty, !lines.isEmpty {
                    bodyStart = index + 1
                    break
                }
                lines.append(line)
                start = index + 1
            }
            index += 1
        }
        if bodyStart == bytes.count, start < bytes.count { lines.append(Array(bytes[start...])) }
        let requestLine = lines.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let parts = requestLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        let method = parts.first.map(String.init) ?? "GET"
        var target = parts.count > 1 ? String(parts[1]) : "/"
        if !target.hasPrefix("/") { target = "/" + target }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":") else { continue }
            headers.append((String(text[..<colon]), String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        let body = bodyStart < bytes.count ? Array(bytes[bodyStart...]) : []
        return WireRequest(method: method, target: target, headers: headers, body: body)
    }
}
