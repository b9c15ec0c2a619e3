import SimCore

/// Auto Scaling groups with `TargetGroupARNs`: "Amazon EC2 Auto Scaling
/// registers the instances it launches with the attached target groups, and
/// deregisters instances before terminating them" — the deregistration
/// delay applies (autoscaling/ec2/userguide/attach-load-balancer-asg.html).
extension ELBv2Service {
    /// Follows what a group did: a launched instance is registered (it starts
    /// `initial` and becomes healthy once its health checks pass), a
    /// terminated one drains from every target group that has it. Target
    /// groups that no longer exist are skipped (a stack deleted them).
    public mutating func follow(_ notice: AutoScalingNotice, groups: [String: AutoScalingGroup], now: SimInstant) {
        switch notice {
        case let .launched(group, instance, _, availabilityZone, _):
            for arn in groups[group]?.targetGroupARNs ?? [] where targetGroups[arn] != nil {
                try? registerTargets(arn, [(instance, nil, availabilityZone)])
                notices.append("target group \(targetGroups[arn]?.name ?? arn): \(instance) (\(availabilityZone)) registered by auto scaling \(group)")
            }
        case let .terminated(group, instance, _, _):
            for arn in targetGroups.keys.sorted() where targetGroups[arn]?.targets.contains(where: { $0.id == instance && $0.state != .draining }) == true {
                try? deregisterTargets(arn, ids: [instance], now: now)
                notices.append("target group \(targetGroups[arn]?.name ?? arn): \(instance) draining (terminated by auto scaling \(group))")
            }
        case .launchFailed, .ready:
            break
        }
    }
}
