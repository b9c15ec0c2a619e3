import AWSSim
import ODASModel
import SimCore

/// The installer's preflight over the world as built, before anything is
/// installed: the scenario's `installer:` prerequisites checked against the
/// AWS fakes (``Preflight``).
extension World {
    /// The prerequisites of the scenario's installer, nil without one.
    func prerequisites() -> ODASPrerequisites? {
        guard let installer = scenario.installer, let odas = scenario.odas else { return nil }
        let region = odas.region
        let vpc = scenario.topology.regions.first { $0.name == region }?.vpc
        let subnets = installer.subnets.compactMap { id -> ODASPrerequisites.Subnet? in
            guard let subnet = vpc?.subnets.first(where: { $0.id == id }), let block = IPv4Block(subnet.cidr) else { return nil }
            return .init(id: id, availabilityZone: subnet.availabilityZone, cidr: block)
        }
        var dataPaths: [ODASPrerequisites.DataPath] = []
        for dataset in odas.datasets {
            dataPaths.append(.init(bucket: dataset.bucket, prefix: dataset.prefix, purpose: "dataset \(dataset.name)"))
            // A standby cluster reads the replica in its own region.
            if let standby = odas.standby, let spec = scenario.buckets.first(where: { $0.name == dataset.bucket }),
               spec.replicateTo == standby.region, let replica = spec.replicaBucket {
                dataPaths.append(.init(bucket: replica, prefix: dataset.prefix, purpose: "replica of dataset \(dataset.name) for \(standby.name)"))
            }
        }
        let database = scenario.database.map { ODASPrerequisites.Database(identifier: odas.catalogDatabase, securityGroups: $0.securityGroups) }
        var p = ODASPrerequisites(kind: installer.kind, account: World.account, region: region,
                                  vpcId: vpc.map { World.vpcId(region: region, cidr: $0.cidr) }, subnets: subnets,
                                  securityGroups: installer.securityGroups, serviceAccess: installer.serviceAccess,
                                  adminAccess: installer.adminAccess, logBucket: installer.logBucket, logPrefix: installer.logPrefix,
                                  dataPaths: dataPaths, kmsKeys: installer.kmsKeys, nodeRole: odas.nodeRole,
                                  database: database, configuration: installer.configuration)
        if let eks = scenario.network.eks {
            p.eksCluster = eks.name
            p.eksNodeGroups = eks.nodeGroups.compactMap { name in
                scenario.network.autoScalingGroups.first { $0.name == name }.map { ($0.name, $0.availabilityZones, $0.instanceProfile) }
            }
        }
        return p
    }

    /// Runs the preflight and records it in the trace and the timeline.
    mutating func runPreflight() -> PreflightReport? {
        guard let prerequisites = prerequisites() else { return nil }
        let report = Preflight.run(prerequisites, PreflightEnvironment(s3: s3, iam: iam, kms: kms, ec2: ec2, rds: rds))
        let now = loop.now
        for check in report.checks {
            trace.record("installer", "preflight-check", at: now, [
                "check": .string(check.id), "gaps": .int(Int64(check.gaps.count)), "warnings": .int(Int64(check.warnings.count)),
            ])
        }
        timeline.append(TimelineEntry(at: now, kind: report.passed ? "preflight-passed" : "preflight-failed",
                                      text: "preflight (\(prerequisites.kind.rawValue)): \(report.summary)"))
        return report
    }
}
