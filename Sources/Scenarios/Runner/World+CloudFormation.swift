import AWSSim
import SimCore

/// CloudFormation in the world: stack work runs on the event loop, with the
/// AWS fakes lent to the engine for each step (swapped, not copied), and
/// every stack event goes to the trace.
extension World {
    mutating func handleCloudFormation(_ event: CFNEvent) {
        var services = CFNServices(s3: S3Service(random: SimRandom(seed: 0)), iam: IAMService(account: World.account),
                                   kms: KMSService(account: World.account), ec2: EC2Service(random: SimRandom(seed: 0)),
                                   rds: RDSService(random: SimRandom(seed: 0)), autoScaling: AutoScalingService(random: SimRandom(seed: 0)),
                                   route53: Route53Service(random: SimRandom(seed: 0)))
        swap(&services.elbv2, &elbv2)
        swap(&services.eks, &eks)
        swap(&services.s3, &s3)
        swap(&services.iam, &iam)
        swap(&services.kms, &kms)
        swap(&services.ec2, &ec2)
        swap(&services.rds, &rds)
        swap(&services.autoScaling, &autoScaling)
        swap(&services.route53, &route53)
        cloudFormation.handle(event, services: &services, faults: faults, now: loop.now)
        swap(&services.s3, &s3)
        swap(&services.iam, &iam)
        swap(&services.kms, &kms)
        swap(&services.ec2, &ec2)
        swap(&services.rds, &rds)
        swap(&services.autoScaling, &autoScaling)
        swap(&services.route53, &route53)
        swap(&services.elbv2, &elbv2)
        swap(&services.eks, &eks)
        policyCache.removeAll()
        registerDatabaseHosts()
        registerNetworkHosts()
        drainAutoScaling()
        drainRoute53()
        drainELBv2()
        drainS3Outbox()
        drainCloudFormation()
    }

    /// A DB instance a stack created gets its hosts in the fault model, as the scenario's own database does
    /// (in its AZ's per-AZ subnet when the VPC has one), so that outages reach it.
    mutating func registerDatabaseHosts() {
        for identifier in rds.instances.keys.sorted() {
            guard let instance = rds.instances[identifier] else { continue }
            for az in [instance.primaryAZ] + (instance.standbyAZ.map { [$0] } ?? []) + instance.readerAZs {
                let host = DBInstance.host(identifier, az: az)
                guard !faults.contains(.host(host)) else { continue }
                let subnet = scenario.topology.subnets.first { $0.id == "subnet-\(az)" }
                faults.addHost(host, in: subnet.map { .subnet($0.id) } ?? .availabilityZone(az))
            }
        }
        drainRDS()
    }

    /// Subnets and instances a stack created join the fault model (so an AZ outage stops them) and the EC2 view.
    mutating func registerNetworkHosts() {
        for id in ec2.subnets.keys.sorted() {
            guard let subnet = ec2.subnets[id], !faults.contains(.subnet(id)), faults.contains(.availabilityZone(subnet.availabilityZone)) else { continue }
            faults.addSubnet(id, availabilityZone: subnet.availabilityZone)
        }
        for id in ec2.instances.keys.sorted() {
            guard let instance = ec2.instances[id], !faults.contains(.host(instance.name)), faults.contains(.subnet(instance.subnet)) else { continue }
            faults.addHost(instance.name, in: .subnet(instance.subnet))
        }
    }

    /// Schedules the engine's next steps and traces the stack events since the last call.
    mutating func drainCloudFormation() {
        for item in cloudFormation.outbox { loop.schedule(.cloudFormation(item.event), at: item.at) }
        cloudFormation.outbox.removeAll()
        for stackId in cloudFormation.stackOrder {
            guard let stack = cloudFormation.stacks[stackId] else { continue }
            let traced = cloudFormationEventsTraced[stackId] ?? 0
            guard stack.events.count > traced else { continue }
            for event in stack.events[traced...] {
                trace.record("cloudformation", "stack-event", at: event.timestamp, [
                    "stack": .string(event.stackName), "resource": .string(event.logicalResourceId),
                    "type": .string(event.resourceType), "status": .string(event.resourceStatus),
                    "reason": .string(event.resourceStatusReason ?? ""),
                ])
            }
            cloudFormationEventsTraced[stackId] = stack.events.count
        }
        for stackId in cloudFormation.stackOrder {
            guard let status = cloudFormation.stacks[stackId]?.status.rawValue, cloudFormationStatusSeen[stackId] != status else { continue }
            cloudFormationStatusSeen[stackId] = status
            observeInstall(.stackStatus(stackId: stackId, status: status))
        }
    }

    /// What exists in the AWS fakes, one line per resource, sorted: a
    /// rollback must leave this as it found it.
    func inventory() -> [String] {
        var lines: [String] = []
        lines += s3.buckets.keys.map { "s3 bucket \($0)" }
        lines += iam.roles.keys.map { "iam role \($0)" } + iam.instanceProfiles.keys.map { "iam instance profile \($0)" }
        lines += iam.policies.keys.map { "iam policy \($0)" } + iam.users.keys.map { "iam user \($0)" } + iam.groups.keys.map { "iam group \($0)" }
        lines += kms.keys.values.filter { $0.state != .pendingDeletion }.map { "kms key \($0.keyId)" }
        lines += kms.aliases.flatMap { region, aliases in aliases.keys.map { "kms alias \($0) (\(region))" } }
        lines += ec2.securityGroups.values.map { "ec2 security group \($0.id) (\($0.name))" }
        lines += ec2.instances.values.filter { $0.state != .terminated }.map { "ec2 instance \($0.id) (\($0.name))" }
        lines += ec2.vpcs.keys.map { "ec2 vpc \($0)" } + ec2.subnets.keys.map { "ec2 subnet \($0)" }
        lines += ec2.internetGateways.keys.map { "ec2 internet gateway \($0)" } + ec2.routeTables.keys.map { "ec2 route table \($0)" }
        lines += ec2.elasticIPs.keys.map { "ec2 elastic ip \($0)" } + ec2.natGateways.keys.map { "ec2 nat gateway \($0)" }
        lines += autoScaling.groups.keys.map { "auto scaling group \($0)" }
        lines += rds.instances.keys.map { "rds db instance \($0)" }
        lines += route53.healthChecks.keys.map { "route53 health check \($0)" }
        return lines.sorted()
    }
}
