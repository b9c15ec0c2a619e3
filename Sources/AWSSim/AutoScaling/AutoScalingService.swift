import SimCore

/// What an Auto Scaling group launches.
public struct LaunchTemplate: Hashable, Sendable {
    public var instanceType: String
    public var securityGroups: [String]
    public var instanceProfile: String?

    public init(instanceType: String, securityGroups: [String], instanceProfile: String?) {
        self.instanceType = instanceType
        self.securityGroups = securityGroups
        self.instanceProfile = instanceProfile
    }
}

/// A subnet a group may launch into.
public struct GroupSubnet: Hashable, Sendable {
    public var id: String
    public var availabilityZone: String
    public var cidr: IPv4Block

    public init(id: String, availabilityZone: String, cidr: IPv4Block) {
        self.id = id
        self.availabilityZone = availabilityZone
        self.cidr = cidr
    }
}

/// An Auto Scaling group.
public struct AutoScalingGroup: Sendable {
    public var name: String
    public var region: String
    public var subnets: [GroupSubnet]
    public var minSize: Int
    public var maxSize: Int
    public var desiredCapacity: Int
    public var template: LaunchTemplate
    /// Instance ids in the group, launch order.
    public var instances: [String] = []
    /// AZ rebalancing in progress: the launched instance, and the AZ one
    /// instance leaves once it is in service.
    public var rebalancing: [String: String] = [:]
    /// Target groups (ELBv2) the group registers its instances with when it
    /// launches them and deregisters them from when it terminates them
    /// (`TargetGroupARNs`; autoscaling/ec2/userguide/attach-load-balancer-asg.html).
    public var targetGroupARNs: [String] = []
}

/// Scheduled Auto Scaling work.
public enum AutoScalingEvent: Hashable, Sendable {
    /// The periodic health check and capacity pass of a group.
    case healthCheck(String)
    /// A launched instance finished booting.
    case instanceReady(instance: String)
}

/// What Auto Scaling did, for the world (new hosts) and the report.
public enum AutoScalingNotice: Equatable, Sendable {
    case launched(group: String, instance: String, name: String, availabilityZone: String, subnet: String)
    case launchFailed(group: String, availabilityZone: String, reason: String)
    case terminated(group: String, instance: String, name: String, reason: String)
    case ready(group: String, instance: String, name: String)
}

/// EC2 Auto Scaling: groups spread over subnets in several AZs keep their
/// desired capacity — an instance that stops with its AZ is found unhealthy
/// at the next health check, terminated and replaced in a healthy AZ
/// (launches into the impaired AZ fail, as with FIS's
/// `aws:ec2:asg-insufficient-instance-capacity-error`), and when the AZ
/// returns the group rebalances one instance per health check, as
/// autoscaling/ec2/userguide/auto-scaling-benefits.html describes: it
/// "launches new instances before terminating the old ones, so that
/// rebalancing does not compromise the performance or availability of your
/// application" — the old instance is terminated once the new one is in service.
public struct AutoScalingService: Sendable {
    public internal(set) var groups: [String: AutoScalingGroup] = [:]
    public var outbox: [(at: SimInstant, event: AutoScalingEvent)] = []
    public var notices: [AutoScalingNotice] = []
    var launchCounter: [String: Int] = [:]
    var random: SimRandom

    /// Health-check and capacity pass period (an assumption: Auto Scaling
    /// checks instance health periodically; AWS gives no fixed figure).
    public static let checkInterval = SimDuration.seconds(60)
    /// Boot time of a launched instance until it is in service (assumption).
    public static let bootTime = SimDuration.seconds(60)...SimDuration.seconds(90)
    /// The reason of a termination that rebalances the group's zones.
    public static let rebalanceReason = "AZ rebalancing"

    public init(random: SimRandom) { self.random = random }

    /// CreateAutoScalingGroup: launches the desired capacity, balanced across AZs.
    public mutating func createAutoScalingGroup(name: String, region: String, subnets: [GroupSubnet], minSize: Int,
                                                maxSize: Int, desiredCapacity: Int, template: LaunchTemplate, targetGroupARNs: [String] = [],
                                                ec2: inout EC2Service, faults: FaultModel, now: SimInstant) {
        groups[name] = AutoScalingGroup(name: name, region: region, subnets: subnets, minSize: minSize, maxSize: maxSize,
                                        desiredCapacity: min(max(desiredCapacity, minSize), maxSize), template: template,
                                        targetGroupARNs: targetGroupARNs)
        reconcile(name, ec2: &ec2, faults: faults, now: now, booting: false)
        // Health checks run on their own phase, not in step with the scenario's clock marks.
        outbox.append((now + random.duration(in: .zero...Self.checkInterval), .healthCheck(name)))
    }

    /// UpdateAutoScalingGroup: new sizes and launch template (for instances
    /// launched from now on); the group launches up to a larger desired
    /// capacity and, for a smaller one, terminates from the zone with the
    /// most instances, the newest first (the default termination policy
    /// balances zones first; autoscaling/ec2/userguide/ec2-auto-scaling-termination-policies.html).
    /// New subnets (`VPCZoneIdentifier`) replace the instances outside them.
    public mutating func updateAutoScalingGroup(_ name: String, minSize: Int, maxSize: Int, desiredCapacity: Int, template: LaunchTemplate,
                                                subnets: [GroupSubnet]? = nil, ec2: inout EC2Service, faults: FaultModel, now: SimInstant) {
        guard let group = groups[name] else { return }
        let desired = min(max(desiredCapacity, minSize), maxSize)
        let before = group.desiredCapacity
        groups[name]?.minSize = minSize
        groups[name]?.maxSize = maxSize
        groups[name]?.desiredCapacity = desired
        groups[name]?.template = template
        if let subnets, subnets.map(\.id) != group.subnets.map(\.id) {
            groups[name]?.subnets = subnets
            let kept = Set(subnets.map(\.id))
            for id in group.instances {
                guard let instance = ec2.instances[id], instance.state != .terminated, !kept.contains(instance.subnet) else { continue }
                ec2.setState(id, .terminated)
                notices.append(.terminated(group: name, instance: id, name: instance.name, reason: "its subnet is no longer one of the group's"))
            }
            groups[name]?.instances.removeAll { ec2.instances[$0]?.state == .terminated }
        }
        var live = distribution(groups[name] ?? group, ec2: ec2).values.reduce(0, +)
        while live > desired, let current = groups[name] {
            let counts = distribution(current, ec2: ec2)
            guard let fullest = counts.filter({ $0.value > 0 }).max(by: { ($0.value, $1.key) < ($1.value, $0.key) }),
                  let victim = current.instances.last(where: { ec2.instances[$0]?.availabilityZone == fullest.key
                                                                && [.running, .pending].contains(ec2.instances[$0]?.state) }),
                  let instance = ec2.instances[victim] else { break }
            ec2.setState(victim, .terminated)
            groups[name]?.instances.removeAll { $0 == victim }
            notices.append(.terminated(group: name, instance: victim, name: instance.name,
                                       reason: "desired capacity changed from \(before) to \(desired)"))
            live -= 1
        }
        reconcile(name, ec2: &ec2, faults: faults, now: now, booting: true)
    }

    /// AttachLoadBalancerTargetGroups / DetachLoadBalancerTargetGroups: the group's target groups from now on.
    public mutating func setTargetGroups(_ name: String, _ arns: [String]) { groups[name]?.targetGroupARNs = arns }

    /// DeleteAutoScalingGroup with ForceDelete: its instances are terminated.
    public mutating func deleteAutoScalingGroup(_ name: String, ec2: inout EC2Service) {
        guard let group = groups[name] else { return }
        for id in group.instances {
            guard let instance = ec2.instances[id], instance.state != .terminated else { continue }
            ec2.setState(id, .terminated)
            notices.append(.terminated(group: name, instance: id, name: instance.name, reason: "group deleted"))
        }
        groups[name] = nil
    }

    /// Running (or booting) instances per AZ.
    func distribution(_ group: AutoScalingGroup, ec2: EC2Service) -> [String: Int] {
        var counts: [String: Int] = [:]
        for subnet in group.subnets { counts[subnet.availabilityZone] = 0 }
        for id in group.instances {
            if let instance = ec2.instances[id], instance.state == .running || instance.state == .pending {
                counts[instance.availabilityZone, default: 0] += 1
            }
        }
        return counts
    }

    /// In-service instances of a group.
    public func inService(_ name: String, ec2: EC2Service) -> Int {
        (groups[name]?.instances ?? []).filter { ec2.instances[$0]?.state == .running }.count
    }

    mutating func launch(_ groupName: String, in subnet: GroupSubnet, ec2: inout EC2Service, now: SimInstant, booting: Bool) {
        guard let group = groups[groupName] else { return }
        let count = (launchCounter[groupName] ?? 0) + 1
        launchCounter[groupName] = count
        let name = "\(groupName)-\(count)"
        let id = ec2.runInstance(name: name, type: group.template.instanceType, region: group.region,
                                 availabilityZone: subnet.availabilityZone, subnet: subnet.id, subnetCIDR: subnet.cidr,
                                 securityGroups: group.template.securityGroups, instanceProfile: group.template.instanceProfile)
        groups[groupName]?.instances.append(id)
        notices.append(.launched(group: groupName, instance: id, name: name, availabilityZone: subnet.availabilityZone, subnet: subnet.id))
        if booting {
            ec2.setState(id, .pending)
            outbox.append((now + random.duration(in: Self.bootTime), .instanceReady(instance: id)))
        }
    }

    /// Terminates unhealthy instances, launches up to the desired capacity in
    /// the AZs with the fewest instances (skipping impaired ones), and
    /// rebalances one instance at a time.
    mutating func reconcile(_ name: String, ec2: inout EC2Service, faults: FaultModel, now: SimInstant, booting: Bool) {
        guard var group = groups[name] else { return }
        // EC2 health checks: a stopped instance is unhealthy and is replaced.
        for id in group.instances {
            guard let instance = ec2.instances[id], instance.state == .stopped else { continue }
            ec2.setState(id, .terminated)
            notices.append(.terminated(group: name, instance: id, name: instance.name, reason: "unhealthy (stopped)"))
        }
        group.instances.removeAll { ec2.instances[$0]?.state == .terminated }
        groups[name] = group
        var launchable = group.subnets.filter { faults.isUp(.subnet($0.id)) && faults.isUp(.availabilityZone($0.availabilityZone)) }
        let impaired = Set(group.subnets.map(\.availabilityZone)).subtracting(launchable.map(\.availabilityZone)).sorted()
        var missing = group.desiredCapacity - distribution(group, ec2: ec2).values.reduce(0, +)
        if missing > 0, !impaired.isEmpty {
            for az in impaired {
                notices.append(.launchFailed(group: name, availabilityZone: az, reason: "insufficient capacity in \(az) (AZ impaired)"))
            }
        }
        launchable.sort { $0.availabilityZone < $1.availabilityZone }
        while missing > 0, !launchable.isEmpty {
            let counts = distribution(groups[name] ?? group, ec2: ec2)
            guard let target = launchable.min(by: { (counts[$0.availabilityZone] ?? 0, $0.availabilityZone) < (counts[$1.availabilityZone] ?? 0, $1.availabilityZone) }) else { break }
            launch(name, in: target, ec2: &ec2, now: now, booting: booting)
            missing -= 1
        }
        // AZ rebalancing: when spread is uneven by more than one, launch in the
        // emptiest launchable AZ first, then terminate in the fullest.
        guard let current = groups[name], missing == 0 else { return }
        let counts = distribution(current, ec2: ec2)
        let launchableAZs = Set(launchable.map(\.availabilityZone))
        guard let fullest = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }),
              let emptiest = counts.filter({ launchableAZs.contains($0.key) }).min(by: { ($0.value, $0.key) < ($1.value, $1.key) }),
              fullest.value - emptiest.value > 1,
              current.instances.count < current.maxSize + 1,
              let subnet = launchable.first(where: { $0.availabilityZone == emptiest.key }) else { return }
        launch(name, in: subnet, ec2: &ec2, now: now, booting: booting)
        guard let launched = groups[name]?.instances.last else { return }
        if booting {
            groups[name]?.rebalancing[launched] = fullest.key
        } else {
            terminateForRebalance(name, in: fullest.key, keeping: launched, ec2: &ec2)
        }
    }

    /// Ends one rebalancing step: an in-service instance of `availabilityZone` goes.
    mutating func terminateForRebalance(_ name: String, in availabilityZone: String, keeping launched: String, ec2: inout EC2Service) {
        groups[name]?.rebalancing[launched] = nil
        guard let group = groups[name],
              let victim = group.instances.last(where: { $0 != launched && ec2.instances[$0]?.availabilityZone == availabilityZone
                                                            && ec2.instances[$0]?.state == .running }),
              let instance = ec2.instances[victim] else { return }
        ec2.setState(victim, .terminated)
        groups[name]?.instances.removeAll { $0 == victim }
        notices.append(.terminated(group: name, instance: victim, name: instance.name, reason: Self.rebalanceReason))
    }

    public mutating func handle(_ event: AutoScalingEvent, ec2: inout EC2Service, faults: FaultModel, now: SimInstant) {
        switch event {
        case .healthCheck(let name):
            guard groups[name] != nil else { return } // deleted: its checks stop
            reconcile(name, ec2: &ec2, faults: faults, now: now, booting: true)
            outbox.append((now + Self.checkInterval, .healthCheck(name)))
        case .instanceReady(let id):
            guard let instance = ec2.instances[id], instance.state == .pending else { return }
            ec2.setState(id, faults.isUp(.host(instance.name)) ? .running : .stopped)
            if let group = groups.values.sorted(by: { $0.name < $1.name }).first(where: { $0.instances.contains(id) }) {
                notices.append(.ready(group: group.name, instance: id, name: instance.name))
                if let shrinking = group.rebalancing[id] {
                    if ec2.instances[id]?.state == .running {
                        terminateForRebalance(group.name, in: shrinking, keeping: id, ec2: &ec2)
                    } else {
                        groups[group.name]?.rebalancing[id] = nil // came up stopped: nothing to rebalance with
                    }
                }
            }
        }
    }
}
