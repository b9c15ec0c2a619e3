import SimCore

/// A seeded mutator in the manner of libFuzzer's: from corpus inputs it makes
/// new ones by flipping, inserting, erasing, duplicating and splicing bytes
/// and by inserting tokens of the formats the targets read. The same seed
/// gives the same inputs in any process, so a failure found in CI replays.
public struct Mutator: Sendable {
    var random: SimRandom
    let corpus: [[UInt8]]
    let maximumLength: Int

    /// Tokens that reach deeper than random bytes: YAML, JSON, HTTP, SigV4, XML.
    static let dictionary: [[UInt8]] = [
        "&a ", "*a", "<<: *a", ": ", "- ", "\n  ", "{", "}", "[", "]", "\"", "'", "|\n", ">-\n", "!!binary ", "%YAML 1.1\n", "---\n",
        "~", "null", "true", "0x7fffffffffffffff", "99999999999999999999999", "-1", "1e309", "NaN", ".inf", "0", "1ms", "365d", "1000000/s",
        "\r\n", "Content-Length: ", "Transfer-Encoding: chunked\r\n", "Authorization: AWS4-HMAC-SHA256 Credential=AKIAFUZZ/20270115/us-west-2/s3/aws4_request, SignedHeaders=host, Signature=",
        "x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\r\n", "x-amz-decoded-content-length: ", ";chunk-signature=", "Range: bytes=",
        "x-amz-copy-source: ", "?uploads", "?partNumber=1&uploadId=", "?versionId=", "?tagging", "?list-type=2&continuation-token=",
        "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=", "%00", "%2F..%2F", "../", "\u{0}", "\u{FEFF}", "é", "\u{1F600}",
        "<?xml version=\"1.0\"?>", "<!DOCTYPE a [<!ENTITY b \"c\">]>", "&b;", "<![CDATA[", "]]>", "</", "/>",
        "\"Statement\":", "\"Effect\":\"Allow\"", "\"Action\":\"s3:*\"", "\"Resource\":\"arn:aws:s3:::*\"", "\"Condition\":{\"StringLike\":{",
        "\"apiVersion\":\"v1\",\"kind\":\"Pod\"", "\"metadata\":{\"name\":\"x\"}", "?labelSelector=", "?fieldSelector=", "?limit=1&continue=",
        "?watch=true&timeoutSeconds=1", "application/json-patch+json", "application/strategic-merge-patch+json", "[{\"op\":\"add\",\"path\":\"/",
        " and ", " or ", " not ", " = ", " in (", "'", "(", ")",
    ].map { Array($0.utf8) }

    public init(seed: UInt64, corpus: [[UInt8]], maximumLength: Int) {
        random = SimRandom(seed: seed)
        self.corpus = corpus.isEmpty ? [[]] : corpus
        self.maximumLength = maximumLength
    }

    mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(random.next() % UInt64(bound)) }

    /// The next input: a corpus entry with one to eight mutations.
    public mutating func next() -> [UInt8] {
        var input = corpus[below(corpus.count)]
        for _ in 0..<(1 + below(8)) { mutate(&input) }
        if input.count > maximumLength { input.removeLast(input.count - maximumLength) }
        return input
    }

    mutating func mutate(_ input: inout [UInt8]) {
        let position = below(input.count + 1)
        switch below(9) {
        case 0 where !input.isEmpty: // flip a bit
            let at = below(input.count)
            input[at] ^= UInt8(1 << below(8))
        case 1: // insert a random byte
            input.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
        case 2 where !input.isEmpty: // erase a range
            let length = 1 + below(min(32, input.count - min(position, input.count - 1)))
            let from = min(position, input.count - 1)
            input.removeSubrange(from..<min(input.count, from + length))
        case 3 where !input.isEmpty: // duplicate a range (repetition finds quadratic paths)
            let from = below(input.count)
            let slice = Array(input[from..<min(input.count, from + 1 + below(64))])
            for _ in 0..<(1 + below(4)) { input.insert(contentsOf: slice, at: min(position, input.count)) }
        case 4, 5: // a dictionary token
            input.insert(contentsOf: Self.dictionary[below(Self.dictionary.count)], at: position)
        case 6: // splice another corpus entry
            let other = corpus[below(corpus.count)]
            guard !other.isEmpty else { return }
            let from = below(other.count)
            input.insert(contentsOf: other[from..<min(other.count, from + 1 + below(256))], at: position)
        case 7 where !input.isEmpty: // replace a digit run's digit with an extreme one
            let at = below(input.count)
            if (48...57).contains(input[at]) { input.replaceSubrange(at...at, with: Array("9999999999999999999".utf8)) }
        default: // truncate
            if !input.isEmpty { input.removeLast(below(input.count)) }
        }
    }
}
