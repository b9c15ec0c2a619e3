import AWSSim
import SimCore

/// The security invariants, decided over the run's IAM and history:
/// `no-unauthorized-read`, `no-static-credentials` and `least-privilege`.
enum SecurityChecks {
    static func results(_ scenario: Scenario, history: History, iam: IAMService) -> [PropertyResult] {
        scenario.expectations.invariants.compactMap { invariant in
            switch invariant {
            case .noUnauthorizedRead: return noUnauthorizedRead(scenario, history: history, iam: iam)
            case .noStaticCredentials: return noStaticCredentials(scenario, history: history)
            case .leastPrivilege: return leastPrivilege(scenario, iam: iam)
            case .noAcknowledgedWriteLost, .dnsPointsToHealthy, .failClosed: return nil
            }
        }
    }

    /// The principal a history entry's ARN names, for re-evaluation.
    static func principal(_ arn: String, iam: IAMService) -> IAMPrincipal? {
        let name = String(arn.split(separator: "/").last ?? "")
        if arn.contains(":user/"), let user = iam.users[name] {
            return IAMPrincipal(kind: .user(name: name), arn: user.arn, principalArn: user.arn, account: iam.account,
                                userId: user.userId, usesLongLivedKey: true)
        }
        if arn.contains(":role/"), let role = iam.roles[name] {
            return IAMPrincipal(kind: .assumedRole(role: name, session: "check"), arn: role.arn, principalArn: role.arn,
                                account: iam.account, userId: role.roleId + ":check", usesLongLivedKey: false)
        }
        return nil
    }

    /// Every read that succeeded must be allowed by the reader's policies and
    /// by the policy of the dataset's own bucket, whichever bucket served it:
    /// a replica whose policy is laxer (S3 replication does not copy bucket
    /// policies) is a leak, during a failover as much as before it.
    static func noUnauthorizedRead(_ scenario: Scenario, history: History, iam: IAMService) -> PropertyResult {
        var result = PropertyResult(id: "invariant/\(Invariant.noUnauthorizedRead.rawValue)", kind: "invariant", workload: nil,
                                    target: "0 unauthorized", measured: "", status: .pass, detail: "")
        let readers = scenario.workloads.filter { $0.kind == .s3Get }
        guard !readers.isEmpty else {
            result.makeVacuous(measured: "no reads", detail: "No s3-get workload ran, so there was no read to check.")
            return result
        }
        var checked = 0
        var violations: [(Operation, String)] = []
        for reader in readers {
            let dataset = scenario.buckets.first { $0.name == reader.target }
            let datasetPolicy = dataset?.policy.flatMap { try? PolicyDocument.parse($0) }
            for op in history.operations(of: reader.name) where op.outcome == .ok && op.kind == .read {
                checked += 1
                guard let arn = op.principal, let principal = principal(arn, iam: iam) else {
                    violations.append((op, "read without a known principal"))
                    continue
                }
                let resource = "arn:aws:s3:::\(reader.target)/\(op.key)"
                let decision = World.evaluate(principal, action: "s3:GetObject", resource: resource, bucketPolicy: datasetPolicy, iam: iam)
                if !decision.isAllowed {
                    let why: String
                    switch decision {
                    case .explicitDeny(let statement): why = "explicitly denied by \(statement)"
                    case .implicitDeny(let reason): why = reason.description
                    case .allow: why = ""
                    }
                    violations.append((op, "\(arn) read \(op.key) from \(op.target), but the policies of \(reader.target) forbid it (\(why))"))
                }
            }
        }
        result.measured = "\(violations.count) unauthorized"
        result.measuredCount(violations.count)
        result.status = violations.isEmpty ? (checked > 0 ? .pass : .vacuous) : .fail
        if let (first, why) = violations.first {
            result.firstOffendingOperation = first.index
            result.detail = "\(violations.count) of \(checked) successful reads were not authorized by policy; first: op \(first.index) at \(first.invoked.readable): \(why)."
        } else if checked == 0 {
            result.makeVacuous(measured: "no successful reads", detail: "No read succeeded, so there was no read to check.")
        } else {
            result.detail = "\(checked) successful reads, each allowed by its reader's policies and its dataset bucket's policy."
        }
        return result
    }

    /// No component of the deployment signs with a long-lived key: every
    /// instance and Auto Scaling group carries an instance profile, and no
    /// workload that is not `external` signed a request with an access key.
    static func noStaticCredentials(_ scenario: Scenario, history: History) -> PropertyResult {
        var result = PropertyResult(id: "invariant/\(Invariant.noStaticCredentials.rawValue)", kind: "invariant", workload: nil,
                                    target: "0 with keys", measured: "", status: .pass, detail: "")
        var offenders: [String] = []
        for instance in scenario.network.instances where instance.instanceProfile == nil {
            offenders.append("instance \(instance.name) has no instance profile, so software on it needs access keys")
        }
        for group in scenario.network.autoScalingGroups where group.instanceProfile == nil {
            offenders.append("Auto Scaling group \(group.name) launches instances without an instance profile")
        }
        for cluster in scenario.odas?.clusters ?? [] where cluster.nodeRole == nil && !scenario.iamRoles.isEmpty {
            offenders.append("the ODAS services of \(cluster.name) (planners, workers) have no node role (\(cluster.name == scenario.odas?.name ? "odas.nodeRole" : "odas.standby.nodeRole")), so reading S3 would need access keys")
        }
        var firstOperation: Int?
        for workload in scenario.workloads where !workload.external {
            let signed = history.operations(of: workload.name).filter(\.longLivedKey)
            if case .user(let name) = workload.principal {
                offenders.append("workload \(workload.name) signs with user \(name)'s long-lived access key (\(signed.count) requests)")
                if let first = signed.first?.index, firstOperation.map({ first < $0 }) ?? true { firstOperation = first }
            }
        }
        result.measured = "\(offenders.count) with keys"
        result.measuredCount(offenders.count)
        result.status = offenders.isEmpty ? .pass : .fail
        result.firstOffendingOperation = firstOperation
        let components = scenario.network.instances.count + scenario.network.autoScalingGroups.count
            + scenario.workloads.filter { !$0.external }.count + (scenario.odas?.clusters.count ?? 0)
        let odasNote = scenario.odas.map { spec in
            let roles = spec.clusters.map { cluster in
                (cluster.nodeRole.map { "role " + $0 } ?? "the deployment role") + (spec.standby == nil ? "" : " (\(cluster.name))")
            }
            return " The ODAS services sign S3 requests with " + roles.joined(separator: " and ") + " from the nodes' instance metadata."
        } ?? ""
        let kinds = scenario.odas == nil ? "instances, Auto Scaling groups, deployment workloads"
            : "instances, Auto Scaling groups, deployment workloads, ODAS services"
        result.detail = offenders.isEmpty
            ? "\(components) components (\(kinds)) use role credentials only." + odasNote
            : offenders.joined(separator: "; ") + "."
        return result
    }

    /// The S3 actions probed for least privilege: reading, writing and
    /// administering a bucket.
    static let probedActions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketPolicy",
                                "s3:PutBucketPolicy", "s3:DeleteBucket"]
    /// A bucket outside the scenario: stands for every bucket of the account the role should not reach.
    static let probeBucket = "odassim-least-privilege-probe"

    /// Each role with a `buckets` list must be unable to reach any other
    /// bucket (the scenario's others, and a probe bucket standing for the
    /// rest of the account) with any probed action; the first allowed
    /// action and resource is named.
    static func leastPrivilege(_ scenario: Scenario, iam: IAMService) -> PropertyResult {
        var result = PropertyResult(id: "invariant/\(Invariant.leastPrivilege.rawValue)", kind: "invariant", workload: nil,
                                    target: "0 outside list", measured: "", status: .pass, detail: "")
        let checkedRoles = scenario.iamRoles.filter { $0.buckets != nil }
        guard !checkedRoles.isEmpty else {
            result.makeVacuous(measured: "no roles", detail: "No role in iam.roles lists its buckets, so there is nothing to check.")
            return result
        }
        let allBuckets = scenario.buckets.flatMap { [$0.name] + ($0.replicaBucket.map { [$0] } ?? []) }
        var grants: [String] = []
        var probes = 0
        for role in checkedRoles {
            guard let principal = principal("arn:aws:iam::\(iam.account):role/\(role.name)", iam: iam) else { continue }
            let served = (role.buckets ?? []).flatMap { name in
                [name] + (scenario.buckets.first { $0.name == name }?.replicaBucket.map { [$0] } ?? [])
            }
            for bucket in allBuckets.filter({ !served.contains($0) }) + [probeBucket] {
                let policy = (scenario.buckets.first { $0.name == bucket }?.policy
                    ?? scenario.buckets.first { $0.replicaBucket == bucket }?.replicaPolicy).flatMap { try? PolicyDocument.parse($0) }
                for action in probedActions {
                    let bucketLevel = ["s3:ListBucket", "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucket"].contains(action)
                    let resource = bucketLevel ? "arn:aws:s3:::\(bucket)" : "arn:aws:s3:::\(bucket)/odassim-probe-object"
                    probes += 1
                    if case .allow(let statement) = World.evaluate(principal, action: action, resource: resource, bucketPolicy: policy, iam: iam) {
                        grants.append("role \(role.name) may \(action) on \(resource) (allowed by \(statement))")
                    }
                }
            }
        }
        result.measured = "\(grants.count) outside list"
        result.measuredCount(grants.count)
        result.status = grants.isEmpty ? .pass : .fail
        result.detail = grants.isEmpty
            ? "\(probes) probes of \(checkedRoles.map(\.name).joined(separator: ", ")) against buckets outside their lists: all denied."
            : "\(grants.count) of \(probes) probes outside the roles' bucket lists were allowed; first: \(grants[0])."
        return result
    }
}
