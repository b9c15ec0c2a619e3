// odas-bench: throughput and memory of the simulation engine, and the wall
// time of the shipped scenarios. Run in release:
//
//     swift run -c release odas-bench [--events N] [--scenario FILE]...
//
// Wall time is read here, outside the simulation, to measure it.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Scenarios
import SimCore

/// Peak resident set size of this process, in MiB.
func peakMemoryMiB() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    #if os(Linux)
    return Double(usage.ru_maxrss) / 1024 // kilobytes on Linux
    #else
    return Double(usage.ru_maxrss) / 1_048_576 // bytes on macOS
    #endif
}

func measure(_ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    body()
    let elapsed = clock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// Timer events: `pending` timers are live at any moment; each delivered event
/// schedules its successor a seeded random delay later (like heartbeats and
/// health checks do), until `total` events were delivered.
func timerChurn(total: Int, pending: Int) -> (seconds: Double, checksum: UInt64) {
    var loop = EventLoop<Int>()
    var random = SimRandom(seed: 1)
    var checksum: UInt64 = 0
    let seconds = measure {
        for index in 0..<pending {
            loop.schedule(index, after: .nanoseconds(Int64(random.next(upperBound: UInt64(1_000_000)))))
        }
        var delivered = 0
        while delivered < total, let (instant, event) = loop.next(until: .distantFuture) {
            delivered += 1
            checksum &+= UInt64(truncatingIfNeeded: instant.nanosecondsSinceStart) ^ UInt64(event)
            loop.schedule(event, after: .nanoseconds(Int64(random.next(upperBound: UInt64(1_000_000)))))
        }
    }
    return (seconds, checksum)
}

/// Equal-time events: a burst of `total` events at one instant (ties broken by sequence).
func equalTimeBurst(total: Int) -> Double {
    var loop = EventLoop<Int>()
    return measure {
        for index in 0..<total { loop.schedule(index, at: .zero) }
        var last = -1
        while let (_, event) = loop.next(until: .distantFuture) {
            precondition(event == last + 1, "equal-time events out of order")
            last = event
        }
    }
}

var events = 10_000_000
var scenarioFiles: [String] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--events":
        guard let value = arguments.popFirst().flatMap(Int.init), value > 0 else {
            print("--events needs a positive integer")
            exit(2)
        }
        events = value
    case "--scenario":
        guard let value = arguments.popFirst() else {
            print("--scenario needs a file")
            exit(2)
        }
        scenarioFiles.append(value)
    default:
        print("usage: odas-bench [--events N] [--scenario FILE]...")
        exit(2)
    }
}
if scenarioFiles.isEmpty { scenarioFiles = ["scenarios/az-failure.yaml"] }

print("odas-bench (build this with -c release for meaningful figures)")
for pending in [1_000, 100_000] {
    let run = timerChurn(total: events, pending: pending)
    let rate = Double(events) / run.seconds
    print("scheduler  timer churn, \(pending) pending: \(events) events in \(String(format: "%.3f", run.seconds)) s = \(String(format: "%.2f", rate / 1e6)) M events/s (checksum \(run.checksum))")
}
let burst = min(events, 2_000_000)
let burstSeconds = equalTimeBurst(total: burst)
print("scheduler  equal-time burst: \(burst) events in \(String(format: "%.3f", burstSeconds)) s = \(String(format: "%.2f", Double(burst) / burstSeconds / 1e6)) M events/s")
print("memory     peak RSS after scheduler runs: \(String(format: "%.1f", peakMemoryMiB())) MiB")

for file in scenarioFiles {
    let scenario: Scenario
    do { scenario = try ScenarioLoader.load(path: file) } catch {
        print(error.description)
        exit(2)
    }
    var times: [Double] = []
    var report: RunReport?
    for _ in 0..<3 {
        times.append(measure { report = ScenarioRunner.run(scenario).report })
    }
    times.sort()
    let processed = report?.eventsProcessed ?? 0
    print("scenario   \(file): median \(String(format: "%.3f", times[1])) s wall for \(scenario.duration) simulated, \(processed) events, \(report?.traceEvents ?? 0) trace records (runs: \(times.map { String(format: "%.3f", $0) }.joined(separator: ", ")))")
}
print("memory     peak RSS: \(String(format: "%.1f", peakMemoryMiB())) MiB")
