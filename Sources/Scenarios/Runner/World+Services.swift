import AWSSim
import KubeSim
import SimCore

/// What the AWS fakes did in the background, turned into world events,
/// trace lines and timeline entries.
extension World {
    /// turns node-group changes into EKS node events, and samples capacity.
    mutating func drainAutoScaling(initial: Bool = false) {
        for item in autoScaling.outbox { loop.schedule(.autoScaling(item.event), at: item.at) }
        autoScaling.outbox.removeAll()
        for notice in autoScaling.notices {
            var text: String
            switch notice {
            case let .launched(group, instance, name, az, subnet):
                faults.addHost(name, in: .subnet(subnet))
                text = "auto scaling \(group): launched \(name) (\(instance)) in \(az)"
                if initial { eks.observe(.ready(group: group, instance: instance, name: name), ec2: ec2) }
            case let .launchFailed(group, az, reason):
                text = "auto scaling \(group): launch in \(az) failed: \(reason)"
            case let .terminated(group, _, name, reason):
                text = "auto scaling \(group): terminated \(name), \(reason)"
            case let .ready(group, _, name):
                text = "auto scaling \(group): \(name) in service"
            }
            eks.observe(notice, ec2: ec2)
            elbv2.follow(notice, groups: autoScaling.groups, now: loop.now)
            switch notice {
            case let .ready(group, instance, name):
                let zone = ec2.instances[instance]?.availabilityZone ?? ""
                observeInstall(.instanceInService(group: group, instance: instance, name: name, availabilityZone: zone))
            case let .terminated(group, instance, name, reason):
                if reason == AutoScalingService.rebalanceReason, let node = ec2.instances[instance].map({ kubeNodeName(of: $0) }) {
                    rebalanceTerminations.append(RebalanceTermination(at: loop.now, group: group, instance: name, node: node))
                }
                observeInstall(.instanceTerminated(group: group, instance: instance, name: name))
            default: break
            }
            trace.record("autoscaling", "activity", at: loop.now, ["text": .string(text)])
            if !initial { timeline.append(TimelineEntry(at: loop.now, kind: "autoscaling", text: text)) }
        }
        autoScaling.notices.removeAll()
        if !elbv2.notices.isEmpty { drainELBv2() }
        retireTerminatedHosts()
        for event in eks.nodeEvents {
            switch event {
            case let .joined(cluster, instance, name, az):
                trace.record("eks", "node-joined", at: loop.now, ["cluster": .string(cluster), "node": .string(name), "az": .string(az)])
                eksNodeJoined(instance: instance, name: name, availabilityZone: az)
            case let .left(cluster, _, name, reason):
                trace.record("eks", "node-left", at: loop.now, ["cluster": .string(cluster), "node": .string(name), "reason": .string(reason)])
                eksNodeLeft(name: name)
            }
        }
        eks.nodeEvents.removeAll()
        sampleCapacity()
    }

    mutating func sampleCapacity() {
        for name in autoScaling.groups.keys.sorted() {
            let inService = autoScaling.inService(name, ec2: ec2)
            if capacityTimeline[name]?.last?.inService != inService {
                capacityTimeline[name, default: []].append((loop.now, inService))
            }
        }
    }


    mutating func drainRoute53() {
        for item in route53.outbox { loop.schedule(.route53(item.event), at: item.at) }
        route53.outbox.removeAll()
        for notice in route53.notices {
            trace.record("route53", "health-check", at: loop.now, ["change": .string(notice)])
            timeline.append(TimelineEntry(at: loop.now, kind: "route53-health", text: notice))
        }
        route53.notices.removeAll()
    }


    /// Tells RDS the fault model changed, then reports what RDS did.
    mutating func notifyServices() {
        rds.faultsChanged(faults, now: loop.now)
        drainRDS()
        ec2.faultsChanged(faults)
        for notice in ec2.notices {
            trace.record("ec2", "instance-state", at: loop.now, ["change": .string(notice)])
            timeline.append(TimelineEntry(at: loop.now, kind: "ec2-instance", text: notice))
        }
        ec2.notices.removeAll()
        sampleCapacity()
        kubeFaultsChanged()
    }

    mutating func drainRDS() {
        for item in rds.outbox { loop.schedule(.rds(item.event), at: item.at) }
        rds.outbox.removeAll()
        if !rds.notices.isEmpty, scenario.odas != nil { recordCatalogVersion() }
        for notice in rds.notices {
            trace.record("rds", notice.kind, at: loop.now, ["instance": .string(notice.instance)])
            timeline.append(TimelineEntry(at: loop.now, kind: "rds-" + notice.kind, text: notice.text))
        }
        rds.logNotices(at: loop.now)
        rds.notices.removeAll()
    }

    mutating func drainS3Outbox() {
        for item in s3.outbox { loop.schedule(.s3(item.event), at: item.at) }
        s3.outbox.removeAll()
    }
}

extension World {
    /// The Kubernetes node an instance is: kubeadm's nodes (ec2 and
    /// cloudformation installers) take the private DNS name, EKS's the instance's name.
    func kubeNodeName(of instance: EC2Instance) -> String {
        if kube?.store.nodes[instance.privateDNSName] != nil { return instance.privateDNSName }
        return instance.name
    }
}

extension World {
    /// A terminated instance's Kubernetes node host (kubeadm names it after
    /// the private DNS name, which no later instance reuses) is down for good:
    /// its node was removed, and an etcd member on it stays in the member
    /// list, down — kubeadm removes a member only when told (`kubeadm reset`,
    /// `etcdctl member remove`) — so it counts against quorum. (Instance
    /// names can be reused by a stack's next attempt; the instance's state says it is gone.)
    mutating func retireTerminatedHosts() {
        var retired = false
        for id in ec2.instances.keys.sorted() {
            guard let instance = ec2.instances[id], instance.state == .terminated, !retiredHosts.contains(id),
                  faults.contains(.host(instance.privateDNSName)) else { continue }
            retiredHosts.insert(id)
            faults.apply(.crash(host: instance.privateDNSName))
            trace.record("ec2", "host-retired", at: loop.now, ["instance": .string(id), "host": .string(instance.privateDNSName)])
            retired = true
        }
        guard retired else { return }
        refreshClientLiveness()
        notifyServices()
    }
}
