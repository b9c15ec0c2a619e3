import SimCore

/// A workload's operations over time, in equal buckets: what the HTML
/// report's timeline draws as its success rate.
public struct WorkloadSeries: Codable, Sendable, Equatable {
    public var workload: String
    /// Bucket width in seconds of simulated time; bucket `i` covers `[i·w, (i+1)·w)`.
    public var bucketSeconds: Double
    /// Per bucket, operations completed in it: `[ok, failed, unknown]`.
    public var buckets: [[Int]]

    /// How many buckets a run is cut into.
    public static let bucketCount = 120

    /// The series of every workload of `scenario` over `history` (final reads
    /// and operations cut off by the end of the run excluded, as availability counts).
    public static func build(_ scenario: Scenario, _ history: History) -> [WorkloadSeries] {
        let total = max(scenario.duration.nanoseconds, 1)
        let width = max(total / Int64(bucketCount), 1)
        return scenario.workloads.map { spec in
            var buckets = Array(repeating: [0, 0, 0], count: bucketCount)
            for op in history.operations(of: spec.name) where op.kind != .finalRead && !op.cutOffByEnd {
                guard let done = op.completed, let outcome = op.outcome else { continue }
                let index = min(Int(done.sinceStart.nanoseconds / width), bucketCount - 1)
                guard index >= 0 else { continue }
                switch outcome {
                case .ok: buckets[index][0] += 1
                case .failed: buckets[index][1] += 1
                case .unknown: buckets[index][2] += 1
                }
            }
            return WorkloadSeries(workload: spec.name, bucketSeconds: Double(width) / 1e9, buckets: buckets)
        }
    }
}

/// The run judged the way AWS Resilience Hub presents an assessment: per
/// disruption type (AZ, Region, Hardware, Software), each workload's target
/// and measured RTO and RPO and whether the policy is met.
public struct ResilienceAssessment: Codable, Sendable, Equatable {
    public struct Objective: Codable, Sendable, Equatable {
        public var workload: String
        /// `RTO` or `RPO`.
        public var objective: String
        public var target: String
        public var measured: String
        /// `PolicyMet`, `PolicyBreached`, or `NotMeasured` (vacuous, or no disruption of the type touched it).
        public var status: String
    }

    /// `AZ`, `Region`, `Hardware` or `Software`.
    public var disruptionType: String
    /// The faults of the run of this type.
    public var faults: [String]
    public var objectives: [Objective]

    /// The type of a fault, as Resilience Hub groups disruptions: zone-wide
    /// faults are AZ, region-wide Region, a machine's crash Hardware, a
    /// service's own failure (database crash, promotion, a failing health check) Software.
    public static func disruptionType(_ fault: FaultSpec) -> String {
        switch fault.action {
        case .azOutage: return "AZ"
        case .regionOutage: return "Region"
        case .hostCrash, .nodeCrash: return "Hardware"
        case .dbPrimaryCrash, .dbGlobalFailover, .dbGlobalSwitchover, .dnsHealthCheckFailure, .s3ReplicationPause,
             .apiInternalError, .apiThrottleError, .apiUnavailableError: return "Software"
        case .networkPartition, .networkLatency, .networkPacketLoss:
            switch fault.target {
            case .region: return "Region"
            case .availabilityZone, .subnet: return "AZ"
            case .host: return "Hardware"
            }
        }
    }

    static let order = ["AZ", "Region", "Hardware", "Software"]

    /// One assessment per disruption type the run has. RTO per type is the
    /// worst recovery of the type's disruptions, measured as the RTO checker
    /// does (a disruption is typed by its first fault); RPO is measured over
    /// the whole run, so it is shown under every type with its own result.
    static func assess(_ scenario: Scenario, _ history: History, results: [PropertyResult],
                       observability: Observability) -> [ResilienceAssessment] {
        let end = SimInstant.zero + scenario.duration
        let byName = Dictionary(scenario.faults.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let windows = Disruption.windows(Evaluation.faultWindows(scenario), end: end)
        var assessments: [ResilienceAssessment] = []
        for type in order {
            let faults = scenario.faults.filter { disruptionType($0) == type }
            guard !faults.isEmpty else { continue }
            var objectives: [Objective] = []
            for (workload, target) in scenario.expectations.rto {
                let availability = scenario.expectations.availability.first { $0.workload == workload }?.target
                    ?? Evaluation.defaultAvailabilityTarget
                let operations = history.operations(of: workload)
                var worst: SimDuration?
                var breached = false, notRecovered = false
                var index = 0
                while index < windows.count {
                    let disruption = windows[index].disruption
                    guard let lead = disruption.faults.first.flatMap({ byName[$0.name] }), disruptionType(lead) == type else {
                        index += 1
                        continue
                    }
                    // As the RTO checker: a disruption the client was down for, or that touched nothing it needs, is not measured.
                    if observability.clientOutage(of: workload, overlapping: disruption.start, windows[index].end) != nil
                        || !observability.touches(disruption, workload) {
                        index += 1
                        continue
                    }
                    let first = index
                    let (recovery, through) = Checkers.recovery(operations, windows: windows, from: first, availabilityTarget: availability)
                    index = through + 1
                    // Measured across later disruptions, the client must have been up for them too.
                    if through > first, observability.clientOutage(of: workload, overlapping: windows[first + 1].disruption.start,
                                                                   windows[through].end) != nil { continue }
                    switch recovery {
                    case .recovered(let after, _, _):
                        worst = max(worst ?? .zero, after)
                        if after > target { breached = true }
                    case .unaffected: worst = max(worst ?? .zero, .zero)
                    case .notRecovered, .noOperations: (breached, notRecovered) = (true, true)
                    }
                }
                let measured = notRecovered ? "not recovered" : worst?.readable ?? "not observable"
                let status = worst == nil && !breached ? "NotMeasured" : breached ? "PolicyBreached" : "PolicyMet"
                objectives.append(Objective(workload: workload, objective: "RTO", target: "≤ \(target)", measured: measured, status: status))
            }
            for result in results where result.kind == "rpo" {
                objectives.append(Objective(workload: result.workload ?? "", objective: "RPO", target: result.target, measured: result.measured,
                                            status: result.status == .pass ? "PolicyMet" : result.status == .fail ? "PolicyBreached" : "NotMeasured"))
            }
            assessments.append(ResilienceAssessment(disruptionType: type, faults: faults.map(\.name), objectives: objectives))
        }
        return assessments
    }
}
