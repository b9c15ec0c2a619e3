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
        #expect(trace.events.count == 2)
        #expect(trace.isTruncated)
    }
}
