import SimCore

/// An Elastic Load Balancing API error (the Query API's `Code` and `Message`).
public struct ELBv2Error: Error, Equatable, Sendable {
    public var code: String
    public var message: String
    public var status: Int

    public init(_ code: String, _ message: String, status: Int = 400) {
        self.code = code
        self.message = message
        self.status = status
    }
}

/// One subnet of a load balancer: the load balancer's node in that zone and its address.
public struct ELBv2Zone: Hashable, Sendable {
    public var subnet: String
    public var availabilityZone: String
    /// The node's private address, taken from the subnet (a network interface's).
    public var address: String

    public init(subnet: String, availabilityZone: String, address: String) {
        self.subnet = subnet
        self.availabilityZone = availabilityZone
        self.address = address
    }
}

/// A load balancer (DescribeLoadBalancers `LoadBalancer`).
public struct ELBv2LoadBalancer: Hashable, Sendable {
    public var arn: String
    public var name: String
    /// `network` or `application`.
    public var type: String
    /// `internal` or `internet-facing`.
    public var scheme: String
    public var region: String
    public var zones: [ELBv2Zone]
    public var securityGroups: [String]
    public var dnsName: String
    public var canonicalHostedZoneId: String
    /// `provisioning`, then `active` (State.Code).
    public var state: String
    public var createdAt: SimInstant
    /// `load_balancing.cross_zone.enabled`: off by default for network load
    /// balancers, always on for application load balancers
    /// (elasticloadbalancing/latest/network/network-load-balancers.html#cross-zone-load-balancing).
    public var crossZone: Bool
    /// Tags; the Kubernetes controller marks its load balancers with the Service they serve.
    public var tags: [String: String]

    /// The final part of the ARN after `loadbalancer/` (LoadBalancerFullName: `net/NAME/ID`).
    public var fullName: String { arn.components(separatedBy: ":loadbalancer/").last ?? name }
}

/// A target's health (DescribeTargetHealth `TargetHealth.State` and `Reason`).
public enum ELBv2TargetState: String, Hashable, Sendable {
    case initial, healthy, unhealthy, draining
}

/// A registered target: an instance (or address) and the port traffic goes to.
public struct ELBv2Target: Hashable, Sendable {
    public var id: String
    public var port: Int
    public var availabilityZone: String
    public var state: ELBv2TargetState
    /// `Elb.RegistrationInProgress`, `Target.FailedHealthChecks`, `Target.DeregistrationInProgress`, or nil when healthy.
    public var reason: String?
    /// Consecutive probe results opposite to the current state.
    var streak = 0
    /// When a draining target leaves the group.
    var drainedAt: SimInstant?
}

/// A target group (DescribeTargetGroups `TargetGroup`) with its health-check settings.
public struct ELBv2TargetGroup: Hashable, Sendable {
    public var arn: String
    public var name: String
    public var `protocol`: String
    public var port: Int
    public var vpcId: String?
    /// `instance` or `ip`.
    public var targetType: String
    public var healthCheckIntervalSeconds: Int
    public var healthyThresholdCount: Int
    public var unhealthyThresholdCount: Int
    /// `deregistration_delay.timeout_seconds` (300 by default).
    public var deregistrationDelaySeconds: Int
    /// Targets in registration order.
    public var targets: [ELBv2Target]
    public var tags: [String: String]
}

/// A listener: a port of a load balancer forwarding to one target group.
public struct ELBv2Listener: Hashable, Sendable {
    public var arn: String
    public var loadBalancerArn: String
    public var port: Int
    public var `protocol`: String
    public var targetGroupArn: String
}

/// Background work of Elastic Load Balancing on the virtual clock.
public enum ELBv2Event: Hashable, Sendable {
    /// A load balancer finished provisioning.
    case active(loadBalancer: String)
    /// A target group's health checks are due.
    case probe(targetGroup: String)
}

/// What a load balancer's DNS name answers now: the addresses of its nodes in
/// healthy zones, and whether any zone was healthy (false: failing open).
public struct ELBv2DNSAnswer: Hashable, Sendable {
    public var addresses: [String]
    public var healthy: Bool
}
