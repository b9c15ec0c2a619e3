/// A place that can fail: a region, an availability zone, a subnet or a host.
///
/// Domains nest: region → AZ → subnet → host. A fault on a domain affects
/// everything inside it, so an AZ outage takes down its subnets and hosts.
/// Names are the AWS names (`us-west-2`, `us-west-2a`, `subnet-…`, an
/// instance id or a host name chosen by the scenario).
public enum FaultDomain: Hashable, Comparable, Sendable {
    case region(String)
    case availabilityZone(String)
    case subnet(String)
    case host(String)

    /// The domain's name, as users write it.
    public var name: String {
        switch self {
        case .region(let n), .availabilityZone(let n), .subnet(let n), .host(let n): return n
        }
    }

    /// The kind of domain, as it appears in traces and messages.
    public var kind: String {
        switch self {
        case .region: return "region"
        case .availabilityZone: return "az"
        case .subnet: return "subnet"
        case .host: return "host"
        }
    }

    var rank: Int {
        switch self {
        case .region: return 0
        case .availabilityZone: return 1
        case .subnet: return 2
        case .host: return 3
        }
    }

    public static func < (lhs: FaultDomain, rhs: FaultDomain) -> Bool {
        (lhs.rank, lhs.name) < (rhs.rank, rhs.name)
    }
}

extension FaultDomain: CustomStringConvertible {
    public var description: String { "\(kind) \(name)" }
}

/// The kinds of fault the model knows. Each has a start and, unless it lasts
/// until the end of the run, an end; see ``FaultModel``.
public enum FaultKind: Hashable, Sendable {
    /// The domain and everything inside it is down: hosts stop, nothing in it
    /// answers or sends (AWS FIS "AZ Availability: Power Interruption").
    case outage(FaultDomain)
    /// Traffic between `side` and `peers` is dropped in both directions.
    /// With `peers` nil, `side` is cut off from everything outside it.
    case partition(side: [FaultDomain], peers: [FaultDomain]?)
    /// A process crash on one host: the host stops answering until restarted.
    case crash(host: String)
    /// Traffic to or from the domain is delayed by `latency` (a degradation:
    /// requests are slow but not lost).
    case latency(FaultDomain, latency: SimDuration)
    /// A share of the packets to or from the domain is dropped; TCP resends
    /// them after its retransmission timeout (see ``SimNetwork``), so
    /// messages arrive late, and rarely not at all.
    case packetLoss(FaultDomain, fraction: Double)
}

/// Identifies an active fault so that it can be lifted.
public struct FaultID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static func < (lhs: FaultID, rhs: FaultID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "fault-\(rawValue)" }
}

/// Why one domain cannot reach another right now.
public enum Unreachability: Hashable, Sendable, CustomStringConvertible {
    /// The source or destination (or a domain containing it) is down.
    case down(FaultDomain)
    /// An active partition drops the traffic.
    case partitioned(FaultID)

    public var description: String {
        switch self {
        case .down(let domain): return "\(domain) is down"
        case .partitioned(let id): return "network partition \(id)"
        }
    }
}
