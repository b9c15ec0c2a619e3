import SimCore

/// The trace's header: every input that decides a verdict, recorded before
/// anything happens (source `input`), so that the trace's hash fingerprints
/// the run — two runs whose verdicts can differ never share a hash. Readable
/// where a reader compares runs (security-group rules, routes, instances,
/// expectations), digests where the text is long (policies, manifests, the
/// scenario file itself). Secrets (access keys, tokens) appear only inside
/// the file's digest.
extension World {
    mutating func recordInputs(at now: SimInstant) {
        trace.record("input", "scenario", at: now, [
            "name": .string(scenario.name), "seed": .int(Int64(bitPattern: seed)), "duration": .string(scenario.duration.description),
            "file_digest": .string(StableHash.hex(scenario.sourceDigest)),
        ])
        for subnet in scenario.topology.subnets {
            trace.record("input", "subnet", at: now, [
                "id": .string(subnet.id), "az": .string(subnet.availabilityZone), "cidr": .string(subnet.cidr),
                "route": .string(subnet.isPublic ? "0.0.0.0/0 → internet gateway" : "local only"),
            ])
        }
        for pair in scenario.network.peerings { trace.record("input", "peering", at: now, ["regions": .string(pair.joined(separator: " ↔ "))]) }
        for group in scenario.network.securityGroups {
            func rules(_ list: [NetworkSpec.Rule]) -> String {
                list.map { "\($0.ipProtocol)/\($0.fromPort == $0.toPort ? "\($0.fromPort)" : "\($0.fromPort)-\($0.toPort)") from \($0.peer)" }
                    .joined(separator: "; ")
            }
            trace.record("input", "security-group", at: now, [
                "name": .string(group.name), "region": .string(group.region), "ingress": .string(rules(group.ingress)),
                "egress": .string(group.egress.map(rules) ?? "all traffic (default)"),
            ])
        }
        for instance in scenario.network.instances {
            trace.record("input", "instance", at: now, [
                "name": .string(instance.name), "subnet": .string(instance.subnet),
                "security_groups": .string(instance.securityGroups.joined(separator: ",")),
                "instance_profile": .string(instance.instanceProfile ?? "none"),
            ])
        }
        for role in scenario.iamRoles {
            trace.record("input", "iam-role", at: now, [
                "name": .string(role.name), "trust_digest": .string(StableHash.hex(StableHash.fnv1a64(role.trustPolicy))),
                "policies_digest": .string(StableHash.hex(StableHash.fnv1a64(role.policies.joined(separator: "\u{0}")))),
                "boundary_digest": .string(role.permissionsBoundary.map { StableHash.hex(StableHash.fnv1a64($0)) } ?? "none"),
            ])
        }
        for user in scenario.iamUsers {
            trace.record("input", "iam-user", at: now, [
                "name": .string(user.name),
                "policies_digest": .string(StableHash.hex(StableHash.fnv1a64(user.policies.joined(separator: "\u{0}")))),
            ])
        }
        for bucket in scenario.buckets where bucket.policy != nil || bucket.replicaPolicy != nil {
            trace.record("input", "bucket-policy", at: now, [
                "bucket": .string(bucket.name), "policy_digest": .string(bucket.policy.map { StableHash.hex(StableHash.fnv1a64($0)) } ?? "none"),
                "replica_policy_digest": .string(bucket.replicaPolicy.map { StableHash.hex(StableHash.fnv1a64($0)) } ?? "none"),
            ])
        }
        for manifest in scenario.kubernetes?.manifests ?? [] {
            trace.record("input", "manifest", at: now, [
                "file": .string(manifest.file), "objects": .int(Int64(manifest.objects.count)),
                "digest": .string(StableHash.hex(manifest.digest)),
            ])
        }
        var declared: [(key: String, value: TraceValue)] = [
            ("ids", .string(scenario.expectations.ids.joined(separator: ","))),
            ("targets", .string(expectationTargets.joined(separator: "; "))),
            ("expect_failure", .string(scenario.expectFailure.joined(separator: ","))),
        ]
        if !scenario.expectVacuous.isEmpty { declared.append(("expect_vacuous", .string(scenario.expectVacuous.joined(separator: ",")))) }
        trace.record("input", "expectations", at: now, attributes: declared)
    }

    /// Each expectation with its target, as the trace header shows it.
    var expectationTargets: [String] {
        let e = scenario.expectations
        return e.rto.map { "rto/\($0.workload) ≤ \($0.target)" } + e.rpo.map { "rpo/\($0.workload) ≤ \($0.target)" }
            + e.availability.map { "availability/\($0.workload) ≥ \($0.target)" }
            + e.reachability.map { "\($0.id) \($0.allowed ? "allowed" : "refused")" }
            + e.capacity.map { "capacity/\($0.group) ≤ \($0.target)" }
    }
}
