import Testing
@testable import SimCore

@Suite struct EventLoopTests {
    @Test func eventsComeOutInTimeOrder() {
        var loop = EventLoop<String>()
        loop.schedule("c", at: SimInstant.zero + .seconds(3))
        loop.schedule("a", at: SimInstant.zero + .seconds(1))
        loop.schedule("b", at: SimInstant.zero + .seconds(2))
        var seen: [String] = []
        while let (_, event) = loop.next(until: .distantFuture) { seen.append(event) }
        #expect(seen == ["a", "b", "c"])
    }

    @Test func eventsAtTheSameInstantKeepSchedulingOrder() {
        var loop = EventLoop<Int>()
        let instant = SimInstant.zero + .milliseconds(5)
        for value in 0..<1000 { loop.schedule(value, at: instant) }
        var seen: [Int] = []
        while let (_, event) = loop.next(until: .distantFuture) { seen.append(event) }
        #expect(seen == Array(0..<1000))
    }

    @Test func nowAdvancesToEachEventAndToTheLimit() {
        var loop = EventLoop<String>()
        loop.schedule("x", after: .seconds(10))
        let first = loop.next(until: SimInstant.zero + .minutes(1))
        #expect(first?.instant == SimInstant.zero + .seconds(10))
        #expect(loop.now == SimInstant.zero + .seconds(10))
        #expect(loop.next(until: SimInstant.zero + .minutes(1)) == nil)
        #expect(loop.now == SimInstant.zero + .minutes(1))
    }

    @Test func eventsAfterTheLimitStayQueued() {
        var loop = EventLoop<String>()
        loop.schedule("late", at: SimInstant.zero + .hours(3))
        #expect(loop.next(until: SimInstant.zero + .hours(2)) == nil)
        #expect(loop.next(until: SimInstant.zero + .hours(4))?.event == "late")
    }

    @Test func cancelledEventsAreNeverDelivered() {
        var loop = EventLoop<String>()
        let keep = loop.schedule("keep", after: .seconds(2))
        let drop = loop.schedule("drop", after: .seconds(1))
        loop.cancel(drop)
        _ = keep
        var seen: [String] = []
        while let (_, event) = loop.next(until: .distantFuture) { seen.append(event) }
        #expect(seen == ["keep"])
    }

    @Test func schedulingInThePastIsClampedToNow() {
        var loop = EventLoop<String>()
        loop.schedule("first", at: SimInstant.zero + .seconds(5))
        _ = loop.next(until: .distantFuture)
        loop.schedule("past", at: SimInstant.zero + .seconds(1))
        let next = loop.next(until: .distantFuture)
        #expect(next?.instant == SimInstant.zero + .seconds(5))
        #expect(loop.now == SimInstant.zero + .seconds(5))
    }

    @Test func heapOrderMatchesASortUnderRandomInsertions() {
        var random = SimRandom(seed: 99)
        var queue = EventQueue<Int>()
        var expected: [(Int64, Int)] = []
        for index in 0..<5000 {
            let at = Int64(random.next(upperBound: UInt64(1000)))
            queue.insert(index, at: SimInstant(nanosecondsSinceStart: at))
            expected.append((at, index))
        }
        expected.sort { $0 < $1 }
        var seen: [Int] = []
        while let entry = queue.popFirst() { seen.append(entry.event) }
        #expect(seen == expected.map(\.1))
    }
}
