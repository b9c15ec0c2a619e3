import AWSSim
import SimCore

/// Everything that can happen in a run, as one typed event: readable in a
/// debugger, `Equatable` in tests, and routed by ``World/handle(_:)`` to the
/// component it belongs to. Lower layers define their own event enums
/// (``S3Event``) which are wrapped here.
enum WorldEvent: Hashable, Sendable {
    /// The fault at this index of the scenario's fault list starts or ends.
    case faultStart(Int)
    case faultEnd(Int)
    /// A message of the simulated network arrives, or a caller's timeout is due.
    case network(NetworkEvent)
    /// A process's own timer (a client's next arrival, an ODAS service's refresh).
    case processTimer(ProcessID, token: Int)
    /// Background work of S3 (replication).
    case s3(S3Event)
    /// Background work of RDS (failover, restart).
    case rds(RDSEvent)
    /// Route 53 health-check probes.
    case route53(Route53Event)
    /// Auto Scaling health checks and instance boots.
    case autoScaling(AutoScalingEvent)
    /// CloudFormation stacks at work (resources created, signals timing out, deletions).
    case cloudFormation(CFNEvent)
    /// Elastic Load Balancing at work (provisioning, target health checks).
    case elbv2(ELBv2Event)
    /// A Kubernetes cluster's next timer is due (0: the scenario's, 1: the standby ODAS cluster's).
    case kube(cluster: Int)
    /// Report progress to the caller (not traced).
    case progress
    /// A fault injected through `serve`'s control endpoint ends.
    case controlFaultEnd(String)
    /// A timer of the installer (``WorldInstaller``): a boot, a join, a retry.
    case installer(token: Int)
}
