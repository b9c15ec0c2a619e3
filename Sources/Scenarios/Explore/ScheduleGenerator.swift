import Foundation
import SimCore

/// Draws random fault schedules for `explore`, FIS-shaped: each fault is
/// an action of the vocabulary on one of its targets, with a random start,
/// length and overlap. The same scenario, vocabulary and seed always give
/// the same schedule (the draw uses its own named stream of the seed).
public struct ScheduleGenerator: Sendable {
    public var vocabulary: FaultVocabulary
    /// At most this many faults a schedule (at least one).
    public var maxFaults: Int
    /// The longest fault drawn (it is also kept inside the run).
    public var maxFaultDuration: SimDuration

    public init(vocabulary: FaultVocabulary, maxFaults: Int = 3, maxFaultDuration: SimDuration = .minutes(45)) {
        self.vocabulary = vocabulary
        self.maxFaults = max(1, maxFaults)
        self.maxFaultDuration = maxFaultDuration
    }

    /// The added one-way delays a latency fault draws from.
    static let latencies: [SimDuration] = [.milliseconds(50), .milliseconds(200), .seconds(1), .seconds(3)]
    /// The shares of calls an API fault fails.
    static let percentages: [Double] = [0.1, 0.25, 0.5, 1]
    /// The packet losses drawn.
    static let losses: [Double] = [0.01, 0.05, 0.2, 0.5]
    /// The shortest fault drawn.
    static let minimumFaultDuration = SimDuration.seconds(30)

    /// A schedule for a run of `runLength`, sorted by start. Outages of an AZ
    /// or a region never overlap each other (the claim explored is "survives
    /// the loss of one"); component faults overlap anything.
    public func schedule(runLength: SimDuration, seed: UInt64) -> [FaultSpec] {
        let choices = vocabulary.targets
        guard !choices.isEmpty, runLength >= .minutes(1) else { return [] }
        var random = SimRandom(seed: seed).stream("explore-schedule")
        let count = 1 + Int(random.next() % UInt64(maxFaults))
        // Starts fall in the first three quarters, so that every fault leaves time to recover in.
        let latestStart = SimDuration(nanoseconds: runLength.nanoseconds / 4 * 3)
        // What is left after the last start is the recovery window the checkers observe.
        let recoveryTail = SimDuration(nanoseconds: runLength.nanoseconds / 10)
        var faults: [FaultSpec] = []
        var attempts = 0
        while faults.count < count, attempts < count * 8 {
            attempts += 1
            let (action, targets) = choices[Int(random.next() % UInt64(choices.count))]
            let target = targets[Int(random.next() % UInt64(targets.count))]
            let at = Self.wholeSeconds(SimDuration(nanoseconds: Int64(random.unitInterval() * Double(latestStart.nanoseconds))))
            var spec = FaultSpec(name: "f\(faults.count + 1)-\(action.rawValue)", action: action, target: target,
                                 peers: nil, latency: nil, at: at, duration: nil)
            if !action.isInstant {
                let longest = min(maxFaultDuration, runLength - recoveryTail - at)
                guard longest >= Self.minimumFaultDuration else { continue }
                spec.duration = Self.wholeSeconds(Self.logUniform(&random, Self.minimumFaultDuration, longest))
            }
            if action == .networkLatency {
                spec.latency = Self.latencies[Int(random.next() % UInt64(Self.latencies.count))]
            }
            if action == .networkPacketLoss {
                spec.percentage = Self.losses[Int(random.next() % UInt64(Self.losses.count))]
            }
            if action.isAPIFault {
                spec.percentage = Self.percentages[Int(random.next() % UInt64(Self.percentages.count))]
            }
            if Self.isLargeOutage(spec), faults.contains(where: { Self.isLargeOutage($0) && Self.overlap($0, spec) }) { continue }
            // One target does not take the same fault twice at once.
            if faults.contains(where: { $0.action == action && $0.target == target && Self.overlap($0, spec) }) { continue }
            faults.append(spec)
        }
        return Self.renamed(faults.sorted { ($0.at, $0.name) < ($1.at, $1.name) })
    }

    /// Names in start order: `f1-az-outage`, `f2-node-crash`, …
    static func renamed(_ faults: [FaultSpec]) -> [FaultSpec] {
        faults.enumerated().map { index, fault in
            var renamed = fault
            renamed.name = "f\(index + 1)-\(fault.action.rawValue)"
            return renamed
        }
    }

    static func isLargeOutage(_ fault: FaultSpec) -> Bool {
        fault.action == .azOutage || fault.action == .regionOutage
    }

    static func overlap(_ a: FaultSpec, _ b: FaultSpec) -> Bool {
        // An instant fault (a database crash) occupies its instant; a fault without a duration lasts to the end.
        func end(_ fault: FaultSpec) -> SimDuration { fault.end ?? (fault.action.isInstant ? fault.at : .init(nanoseconds: .max)) }
        if a.action.isInstant || b.action.isInstant { return a.at <= end(b) && b.at <= end(a) }
        return a.at < end(b) && b.at < end(a)
    }

    static func wholeSeconds(_ duration: SimDuration) -> SimDuration {
        .seconds(duration.nanoseconds / 1_000_000_000)
    }

    /// Log-uniform between `low` and `high`: short faults as likely as long ones, order of magnitude by order of magnitude.
    static func logUniform(_ random: inout SimRandom, _ low: SimDuration, _ high: SimDuration) -> SimDuration {
        guard high > low else { return low }
        let l = log(Double(low.nanoseconds)), h = log(Double(high.nanoseconds))
        return SimDuration(nanoseconds: min(high.nanoseconds, Int64(exp(l + random.unitInterval() * (h - l)))))
    }
}
