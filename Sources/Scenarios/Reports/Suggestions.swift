import KubeSim
import SimCore

/// Fixes a run's failures point at, where the evidence is unambiguous: the
/// report says them instead of leaving the reader to infer them.
enum Suggestions {
    static func derive(_ scenario: Scenario, _ history: History, _ results: [PropertyResult],
                       rebalances: [RebalanceTermination] = []) -> [String] {
        var out: [String] = []
        out += replicaPolicyGaps(scenario, history)
        let failing = Set(results.filter { $0.status == .fail && ["rto", "availability"].contains($0.kind) }.compactMap(\.workload))
        if let hint = singleAZDatabase(scenario, history, failing: failing) { out.append(hint) }
        out += blockingSpreads(scenario, history, failing: failing)
        out += undrainedRebalances(scenario, history, failing: failing, rebalances)
        return out
    }

    /// A failing workload whose operations failed on a node Auto Scaling had
    /// just terminated to rebalance its zones: the instance went without its
    /// node being drained ("AZRebalance … terminates instances in the
    /// Availability Zone that has the most instances"; autoscaling/ec2/userguide/ec2-auto-scaling-capacity-rebalancing
    /// and as-suspend-resume-processes.html).
    static func undrainedRebalances(_ scenario: Scenario, _ history: History, failing: Set<String>, _ rebalances: [RebalanceTermination]) -> [String] {
        var out: [String] = []
        for termination in rebalances {
            let hit = scenario.workloads.filter { workload in
                failing.contains(workload.name) && history.operations(of: workload.name).contains { op in
                    op.outcome != .ok && op.invoked >= termination.at && (op.error?.contains(termination.node) ?? false)
                }
            }
            guard !hit.isEmpty else { continue }
            out.append("Auto Scaling group \(termination.group) terminated \(termination.instance) (node \(termination.node)) at \(termination.at.readable) to rebalance its zones, without draining the node, and \(hit.map(\.name).joined(separator: ", ")) failed on it afterwards. Suspend the group's AZRebalance process (aws autoscaling suspend-processes --scaling-processes AZRebalance), or add a termination lifecycle hook (autoscaling:EC2_INSTANCE_TERMINATING) whose handler runs kubectl drain before the instance goes.")
        }
        return out
    }

    /// A workload refused on a bucket and then served by its replica: the
    /// replica lacks the primary's bucket policy (S3 replication does not
    /// copy bucket policies — Amazon S3 User Guide, "What does Amazon S3 replicate?").
    static func replicaPolicyGaps(_ scenario: Scenario, _ history: History) -> [String] {
        var out: [String] = []
        for bucket in scenario.buckets {
            guard let replica = bucket.replicaBucket else { continue }
            let readers = scenario.workloads.filter { $0.target == bucket.name }.filter { workload in
                let ops = history.operations(of: workload.name)
                return ops.contains { $0.target == bucket.name && $0.cause?.category == .refused }
                    && ops.contains { $0.target == replica && $0.outcome == .ok }
            }
            guard !readers.isEmpty else { continue }
            let policy = bucket.replicaPolicy == nil ? "has no bucket policy" : "has a laxer bucket policy"
            out.append("\(replica), the replica of \(bucket.name), \(policy): \(readers.map(\.name).joined(separator: ", ")) read there what \(bucket.name) refuses. S3 replication does not copy bucket policies; give the bucket a replicaPolicy with the same statements on the replica's ARN.")
        }
        return out
    }

    /// A failing database or ODAS workload on a single-AZ instance whose zone was lost.
    static func singleAZDatabase(_ scenario: Scenario, _ history: History, failing: Set<String>) -> String? {
        guard let database = scenario.database, database.standbyAZ == nil, database.readerAZs.isEmpty else { return nil }
        let users = scenario.workloads.filter { failing.contains($0.name) && ($0.kind.usesDatabase || $0.kind == .scan || $0.kind == .catalogWrite) }
        let lost = scenario.faults.first { fault in
            (fault.action == .azOutage && fault.target == .availabilityZone(database.primaryAZ))
                || (fault.action == .dbPrimaryCrash && fault.target == .host(database.identifier))
        }
        guard !users.isEmpty, let lost else { return nil }
        return "\(database.identifier) is a single-AZ instance in \(database.primaryAZ): when \(lost.name) hit it no standby could take over, so \(users.map(\.name).joined(separator: ", ")) waited for it to return. Set multiAZ: true with a standbyAZ in another zone (RDS Multi-AZ fails over in 60–120 s)."
    }

    /// Workloads that found no ready endpoint while a manifest spreads its
    /// pods with `whenUnsatisfiable: DoNotSchedule`: replacements stay
    /// Pending while the lost zone's Nodes exist (kube-scheduler PodTopologySpread).
    static func blockingSpreads(_ scenario: Scenario, _ history: History, failing: Set<String>) -> [String] {
        let starved = scenario.workloads.filter { workload in
            failing.contains(workload.name) && history.operations(of: workload.name).contains { $0.cause?.category == .noReadyEndpoint }
        }
        guard !starved.isEmpty else { return [] }
        var out: [String] = []
        for manifest in scenario.kubernetes?.manifests ?? [] {
            for object in manifest.objects {
                let template: PodTemplateSpec?
                switch object {
                case .deployment(let d): template = d.spec.template
                case .statefulSet(let s): template = s.spec.template
                default: template = nil
                }
                guard let constraints = template?.spec.topologySpreadConstraints,
                      constraints.contains(where: { $0.whenUnsatisfiable == "DoNotSchedule" }) else { continue }
                out.append("\(object.kind.rawValue) \(object.metadata.nameOrEmpty) (\(manifest.file)) spreads its pods with whenUnsatisfiable: DoNotSchedule, and \(starved.map(\.name).joined(separator: ", ")) found no ready endpoint: replacements cannot run in the surviving zones while the lost zone's Nodes exist. Use ScheduleAnyway, or more replicas than zones.")
            }
        }
        return out
    }
}
