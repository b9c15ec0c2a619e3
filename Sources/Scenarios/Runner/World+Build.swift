import AWSSim
import KubeSim
import SimCore

/// Building the world from the scenario: topology, network, buckets, IAM,
/// the database, DNS, Kubernetes, the processes and the fault schedule.
extension World {

    /// Builds the topology, the buckets and the schedule of faults and clients.
    mutating func build() {
        let start = loop.now
        recordInputs(at: start)
        for region in scenario.topology.regions {
            faults.addRegion(region.name)
            // S3 is a regional service: its endpoint lives in the region, not in an AZ.
            faults.addHost(S3Endpoint.host(region: region.name), in: .region(region.name))
            for az in region.availabilityZones { faults.addAvailabilityZone(az, region: region.name) }
            for subnet in region.vpc?.subnets ?? [] {
                faults.addSubnet(subnet.id, availabilityZone: subnet.availabilityZone)
            }
            trace.record("ec2", "region", at: start, [
                "region": .string(region.name), "azs": .string(region.availabilityZones.joined(separator: ",")),
                "vpc": .string(region.vpc?.cidr ?? "none"),
            ])
        }
        for host in scenario.topology.hosts {
            faults.addHost(host.name, in: host.placement)
        }
        buildNetwork(at: start)
        buildBuckets(at: start)
        buildIAM(at: start)
        buildDatabase(at: start)
        buildDNS(at: start)
        buildKubernetes(at: start)
        buildStandbyKubernetes(at: start)
        buildODAS(at: start)
        for (index, fault) in scenario.faults.enumerated() {
            loop.schedule(.faultStart(index), at: .zero + fault.at)
            if let end = fault.end { loop.schedule(.faultEnd(index), at: .zero + end) }
        }
        spawnProcesses()
        let step = SimDuration(nanoseconds: max(scenario.duration.nanoseconds / 20, 1))
        var at = SimInstant.zero + step
        while at < .zero + scenario.duration {
            loop.schedule(.progress, at: at)
            at = at + step
        }
    }

    /// The processes of the simulated network: the listener, the service
    /// endpoints, the pod network, then one client per workload.
    mutating func spawnProcesses() {
        listener = spawn(ListenerProcess(), name: "listener", domain: scenario.topology.regions.first.map { .region($0.name) } ?? .region(""))
        spawnS3Endpoints()
        spawnDatabaseEndpoints()
        spawnEKSEndpoints()
        if kube != nil || scenario.installer?.createsCluster == true {
            podNetwork = spawn(PodNetworkProcess(), name: "pod-network", domain: listenerDomain)
        }
        spawnODASServices()
        spawnClients()
    }

    var listenerDomain: FaultDomain { network.processes[listener.rawValue].domain }

    mutating func buildBuckets(at now: SimInstant) {
        for spec in scenario.buckets {
            createBucket(spec.name, region: spec.region, at: now)
            if let replica = spec.replicaBucket, let region = spec.replicateTo {
                createBucket(replica, region: region, at: now)
            }
            // Objects that exist before the run are already replicated (as S3
            // Batch Replication would have done for existing objects).
            for part in 0..<spec.objects {
                let key = Keys.preloaded(part)
                let body = Keys.body(for: "\(spec.name)/\(key)", size: spec.objectSize)
                for bucket in [spec.name] + (spec.replicaBucket.map { [$0] } ?? []) {
                    do { try s3.putObject(bucket: bucket, key: key, body: body, now: now) } catch {
                        trace.record("s3", "preload-failed", at: now, ["bucket": .string(bucket), "error": .string(error.code)])
                    }
                }
            }
            if spec.objects > 0 {
                trace.record("s3", "preload", at: now, ["bucket": .string(spec.name), "objects": .int(Int64(spec.objects))])
            }
            configureBucket(spec, at: now)
            if let replica = spec.replicaBucket {
                // S3 replication needs versioning on both buckets.
                for bucket in [spec.name, replica] {
                    do { try s3.putBucketVersioning(bucket, status: .enabled) } catch {
                        trace.record("s3", "put-bucket-versioning-failed", at: now, ["bucket": .string(bucket), "error": .string(error.code)])
                    }
                }
                let rule = S3ReplicationRule(id: "replicate-to-\(replica)", destinationBucket: replica,
                                             replicationTimeControl: spec.replicationTimeControl)
                do {
                    // The role the S3 console creates for a replication rule (s3crr_role_for_<bucket>);
                    // the scenario does not declare it and its permissions are not modelled.
                    try s3.putBucketReplication(spec.name, rules: [rule],
                                                role: "arn:aws:iam::\(World.account):role/service-role/s3crr_role_for_\(spec.name)")
                    trace.record("s3", "put-bucket-replication", at: now, [
                        "bucket": .string(spec.name), "destination": .string(replica),
                        "rtc": .bool(spec.replicationTimeControl),
                    ])
                } catch {
                    trace.record("s3", "put-bucket-replication-failed", at: now, ["bucket": .string(spec.name), "error": .string(error.code)])
                }
            }
        }
    }

    /// A bucket's versioning and default encryption as declared; an SSE-KMS
    /// key alias is created (with KMS's default key policy) in the bucket's
    /// region the first time a bucket names it.
    mutating func configureBucket(_ spec: BucketSpec, at now: SimInstant) {
        if spec.versioning {
            for bucket in [spec.name] + (spec.replicaBucket.map { [$0] } ?? []) {
                try? s3.putBucketVersioning(bucket, status: .enabled)
            }
            trace.record("s3", "put-bucket-versioning", at: now, ["bucket": .string(spec.name), "status": .string("Enabled")])
        }
        guard let algorithm = spec.encryptionAlgorithm else { return }
        var keyArn: String?
        if let alias = spec.kmsKey {
            if let existing = try? kms.key(alias, region: spec.region) {
                keyArn = existing.arn
            } else if let key = try? kms.createKey(region: spec.region, description: "\(alias) (scenario)", now: now) {
                try? kms.createAlias(alias, keyId: key.keyId, region: spec.region)
                keyArn = key.arn
            }
        }
        do {
            try s3.putBucketEncryption(spec.name, S3BucketEncryption(algorithm: algorithm, kmsMasterKeyID: keyArn))
            trace.record("s3", "put-bucket-encryption", at: now, ["bucket": .string(spec.name), "algorithm": .string(algorithm),
                                                                  "key": .string(keyArn ?? "none")])
        } catch {
            trace.record("s3", "put-bucket-encryption-failed", at: now, ["bucket": .string(spec.name), "error": .string(error.code)])
        }
    }

    /// The ODAS state database: the instance, its replicas as fault-model hosts
    /// in the per-AZ subnets of their region's VPC (its DB subnet group: the
    /// subnets the ODAS nodes use), or in their AZs without a VPC, and the
    /// table the db workloads write.
    mutating func buildDatabase(at now: SimInstant) {
        guard let spec = scenario.database else { return }
        do {
            if spec.isAurora {
                try rds.createDBCluster(identifier: spec.identifier, region: spec.region, writerAZ: spec.primaryAZ,
                                        readerAZs: spec.readerAZs, globalSecondaryRegion: spec.globalSecondaryRegion,
                                        globalSecondaryAZ: spec.globalSecondaryAZ)
            } else {
                try rds.createDBInstance(identifier: spec.identifier, engine: spec.engine, region: spec.region,
                                         primaryAZ: spec.primaryAZ, standbyAZ: spec.standbyAZ)
            }
            let azs = [spec.primaryAZ] + (spec.standbyAZ.map { [$0] } ?? []) + spec.readerAZs
                + (spec.globalSecondaryAZ.map { [$0] } ?? [])
            for az in azs {
                let subnet = scenario.topology.subnets.first { $0.id == "subnet-\(az)" }
                faults.addHost(DBInstance.host(spec.identifier, az: az), in: subnet.map { .subnet($0.id) } ?? .availabilityZone(az))
            }
            _ = try rds.execute(spec.identifier, statements: [
                "CREATE TABLE writes (workload TEXT NOT NULL, seq INTEGER NOT NULL, value TEXT, PRIMARY KEY (workload, seq))",
            ], faults: faults, now: now)
            drainRDS()
            trace.record("rds", "create-db-instance", at: now, [
                "identifier": .string(spec.identifier), "engine": .string(spec.engine),
                "primary_az": .string(spec.primaryAZ), "standby_az": .string(spec.standbyAZ ?? "none"),
            ])
        } catch {
            trace.record("rds", "create-db-instance-failed", at: now, ["identifier": .string(spec.identifier), "error": .string(error.description)])
        }
    }

    /// Security groups (two passes: group references need every group's id)
    /// and instances; then the reachability expectations, decided by EC2's query.
    mutating func buildNetwork(at now: SimInstant) {
        let spec = scenario.network
        // The topology's VPCs and subnets exist in EC2 too (a template may name them).
        for region in scenario.topology.regions {
            guard let vpc = region.vpc, let block = IPv4Block(vpc.cidr) else { continue }
            let vpcId = World.vpcId(region: region.name, cidr: vpc.cidr)
            ec2.register(vpc: EC2VPC(id: vpcId, region: region.name, cidr: block))
            for subnet in vpc.subnets {
                guard let cidr = IPv4Block(subnet.cidr) else { continue }
                ec2.register(subnet: EC2Subnet(id: subnet.id, vpcId: vpcId, region: region.name, availabilityZone: subnet.availabilityZone,
                                               cidr: cidr, mapPublicIpOnLaunch: subnet.isPublic))
            }
        }
        for subnet in scenario.topology.subnets where subnet.isPublic { ec2.routeToInternetGateway(subnet: subnet.id) }
        for pair in spec.peerings where pair.count == 2 { ec2.peer(pair[0], pair[1]) }
        var ids: [String: String] = [:]
        for group in spec.securityGroups {
            ids[group.name] = ec2.createSecurityGroup(name: group.name, region: group.region, ingress: [])
        }
        func rules(_ list: [NetworkSpec.Rule]) -> [SecurityGroupRule] {
            list.compactMap { rule in
                let peer: SecurityGroupPeer
                if rule.peer.hasPrefix("sg:") {
                    guard let id = ids[String(rule.peer.dropFirst(3))] else { return nil }
                    peer = .group(id)
                } else {
                    guard let block = IPv4Block(rule.peer) else { return nil }
                    peer = .cidr(block)
                }
                return SecurityGroupRule(ipProtocol: rule.ipProtocol, fromPort: rule.fromPort, toPort: rule.toPort, peer: peer)
            }
        }
        for group in spec.securityGroups {
            guard let id = ids[group.name] else { continue }
            ec2.authorizeSecurityGroupIngress(id, rules: rules(group.ingress))
            if let egress = group.egress { ec2.replaceSecurityGroupEgress(id, rules: rules(egress)) }
            trace.record("ec2", "create-security-group", at: now, ["name": .string(group.name), "id": .string(id)])
        }
        for instance in spec.instances {
            guard let subnet = scenario.topology.subnets.first(where: { $0.id == instance.subnet }),
                  let block = IPv4Block(subnet.cidr) else { continue }
            let region = scenario.topology.regions.first { $0.availabilityZones.contains(instance.availabilityZone) }?.name ?? ""
            let id = ec2.runInstance(name: instance.name, type: instance.type, region: region,
                                     availabilityZone: instance.availabilityZone, subnet: instance.subnet, subnetCIDR: block,
                                     securityGroups: instance.securityGroups.compactMap { ids[$0] },
                                     instanceProfile: instance.instanceProfile)
            trace.record("ec2", "run-instance", at: now, [
                "name": .string(instance.name), "id": .string(id), "az": .string(instance.availabilityZone),
            ])
        }
        for group in spec.autoScalingGroups {
            let subnets = group.availabilityZones.compactMap { az -> GroupSubnet? in
                guard let subnet = scenario.topology.subnets.first(where: { $0.availabilityZone == az }),
                      let block = IPv4Block(subnet.cidr) else { return nil }
                return GroupSubnet(id: subnet.id, availabilityZone: az, cidr: block)
            }
            let region = scenario.topology.regions.first { $0.availabilityZones.contains(group.availabilityZones.first ?? "") }?.name ?? ""
            autoScaling.createAutoScalingGroup(
                name: group.name, region: region, subnets: subnets, minSize: group.minSize, maxSize: group.maxSize,
                desiredCapacity: group.desiredCapacity,
                template: LaunchTemplate(instanceType: group.type, securityGroups: group.securityGroups.compactMap { ids[$0] },
                                         instanceProfile: group.instanceProfile),
                ec2: &ec2, faults: faults, now: now)
        }
        if let cluster = spec.eks {
            eks.createCluster(name: cluster.name, region: cluster.region, controlPlaneAZs: cluster.controlPlaneAZs,
                              nodeGroups: cluster.nodeGroups)
            trace.record("eks", "create-cluster", at: now, ["name": .string(cluster.name), "node_groups": .int(Int64(cluster.nodeGroups.count))])
        }
        drainAutoScaling(initial: true)
        for check in scenario.expectations.reachability {
            guard let destination = ec2.instance(named: check.to) else { continue }
            let verdict: ReachabilityVerdict
            if let source = ec2.instance(named: check.from) {
                verdict = ec2.reachability(from: source, to: destination, port: check.port)
            } else if let block = IPv4Block(check.from) {
                verdict = ec2.reachability(fromAddress: block, to: destination, port: check.port)
            } else { continue }
            reachabilityResults.append(PropertyResult(
                id: check.id, kind: "reachability", workload: nil, target: check.allowed ? "reachable" : "refused",
                measured: verdict.allowed ? "reachable" : "refused", status: verdict.allowed == check.allowed ? .pass : .fail,
                detail: verdict.explanation + "."))
        }
    }

    /// Registers launched instances as hosts, reports what Auto Scaling did,

    /// The hosted zone's health checks (probing from now on) and record sets.
    mutating func buildDNS(at now: SimInstant) {
        guard let dns = scenario.dns else { return }
        _ = route53.createHostedZone(name: dns.zone, privateVPCRegion: dns.privateRegion)
        for check in dns.healthChecks {
            route53.createHealthCheck(id: check.name, target: check.target, requestInterval: check.interval,
                                      failureThreshold: check.failureThreshold, now: now)
        }
        for record in dns.records where !record.aliasesServiceLoadBalancer {
            route53.upsert(record.route53Record(target: record.target, aliasTarget: record.alias))
        }
        trace.record("route53", "create-hosted-zone", at: now, [
            "zone": .string(dns.zone), "records": .int(Int64(dns.records.count)), "health_checks": .int(Int64(dns.healthChecks.count)),
        ])
        drainRoute53()
    }


    mutating func createBucket(_ name: String, region: String, at now: SimInstant) {
        do {
            try s3.createBucket(name, region: region)
            trace.record("s3", "create-bucket", at: now, ["bucket": .string(name), "region": .string(region)])
        } catch {
            trace.record("s3", "create-bucket-failed", at: now, ["bucket": .string(name), "error": .string(error.code)])
        }
    }
}

extension DNSSpec.Record {
    /// The record set Route 53 holds for this scenario record, pointing at
    /// `target` (or aliasing `aliasTarget`), with its routing and health check.
    func route53Record(target: String, aliasTarget: String?) -> Route53Record {
        let routing: Route53Routing = failover.map { .failover(primary: $0 == "PRIMARY") } ?? weight.map { .weighted(weight: $0) } ?? .simple
        return Route53Record(name: name, type: type, ttl: ttl, target: target, routing: routing,
                             setIdentifier: failover ?? weight.map(String.init), healthCheck: healthCheck,
                             aliasTarget: aliasTarget, evaluateTargetHealth: evaluateTargetHealth)
    }
}
