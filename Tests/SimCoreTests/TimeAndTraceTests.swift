import Testing
@testable import SimCore

@Suite struct TimeAndTraceTests {
    @Test(arguments: [
        (SimDuration.zero, "0s"), (.milliseconds(250), "250ms"), (.seconds(90), "1m30s"),
        (.hours(2), "2h"), (.hours(1) + .milliseconds(500), "1h0m0.5s"), (.microseconds(3), "3us"),
        (.seconds(20) + .nanoseconds(1), "20.000000001s"), (.minutes(-5), "-5m"),
    ])
    func durationsPrintCanonically(duration: SimDuration, text: String) {
        #expect(duration.description == text)
    }

    @Test func instantsSaturateInsteadOfOverflowing() {
        #expect(SimInstant.distantFuture + .hours(1) == .distantFuture)
        #expect((SimInstant.zero + .seconds(5)) - (SimInstant.zero + .seconds(2)) == .seconds(3))
    }

    @Test func traceEncodingIsCanonical() {
        var trace = Trace()
        trace.record("s3", "put-object", at: SimInstant.zero + .seconds(1), [
            "key": .string("a\"b\n"), "bucket": .string("okera"), "size": .int(3), "ok": .bool(true),
            "lag": .duration(.milliseconds(1500)),
        ])
        let expected = #"{"seq":0,"ns":1000000000,"t":"T+1s","source":"s3","kind":"put-object","attrs":{"bucket":"okera","key":"a\"b\n","lag":"1.5s","ok":true,"size":3}}"# + "\n"
        #expect(trace.canonicalJSONLines() == expected)
    }

    @Test func controlCharactersAreEscapedAsUnicode() {
        var out = ""
        JSONText.appendString("\u{1}x", to: &out)
        #expect(out == "\"\\u0001x\"")
    }

    @Test func aFullTraceStopsRecordingAndSaysSo() {
        var trace = Trace(capacity: 2)
        for _ in 0..<3 { trace.record("x", "y", at: .zero) }
        #expect(trace.count == 2)
        #expect(trace.isTruncated)
    }

    @Test func aRingKeepsTheLastLinesAndCountsTheRest() {
        var trace = Trace(retention: .last(2))
        for index in 0..<5 { trace.record("x", "e\(index)", at: .zero) }
        let lines = trace.canonicalJSONLines().split(separator: "\n")
        #expect(lines.count == 2 && lines[0].contains("\"kind\":\"e3\"") && lines[1].contains("\"seq\":4"))
        #expect(trace.droppedLines == 3 && trace.count == 5 && trace.lastEvent?.kind == "e4")
    }

    /// A streamed trace hands its sink the same bytes, in blocks, that memory would hold.
    @Test func aStreamedTraceWritesTheSameBytesInBlocks() {
        final class Collect: TraceSink, @unchecked Sendable {
            var blocks: [String] = []
            func write(_ text: String) { blocks.append(text) }
        }
        let sink = Collect()
        var streamed = Trace(streamingTo: sink)
        var kept = Trace()
        let padding = String(repeating: "p", count: 1000)
        for index in 0..<3000 {
            streamed.record("x", "y", at: .zero + .seconds(Int64(index)), ["pad": .string(padding)])
            kept.record("x", "y", at: .zero + .seconds(Int64(index)), ["pad": .string(padding)])
        }
        // About 3.3 MB: three full blocks written as it went, the rest on flush.
        #expect(sink.blocks.count == 3 && streamed.canonicalJSONLines().isEmpty)
        #expect(sink.blocks.allSatisfy { $0.utf8.count >= Trace.blockBytes && $0.utf8.count < Trace.blockBytes + 2000 })
        streamed.flush()
        #expect(sink.blocks.count == 4)
        #expect(sink.blocks.joined() == kept.canonicalJSONLines())
    }
}
