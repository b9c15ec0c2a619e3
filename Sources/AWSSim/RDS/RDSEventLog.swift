import SimCore

/// One entry of RDS's event log, as `DescribeEvents` lists it: "Amazon RDS
/// records events that relate to your DB instances… for the past 14 days"
/// (AmazonRDS/latest/UserGuide/working-with-events.html).
public struct RDSLoggedEvent: Sendable, Equatable {
    public var at: SimInstant
    public var sourceIdentifier: String
    /// `db-instance` or `db-cluster`.
    public var sourceType: String
    public var message: String
    /// RDS's event categories (`failover`, `availability`, `notification`, `global-failover`).
    public var categories: [String]
}

extension RDSService {
    /// Moves the pending ``notices`` into the event log, stamped `now`
    /// (called whenever the world drains RDS's notices).
    public mutating func logNotices(at now: SimInstant) {
        for notice in notices {
            let aurora = instances[notice.instance]?.isAurora ?? false
            eventLog.append(RDSLoggedEvent(at: now, sourceIdentifier: notice.instance, sourceType: aurora ? "db-cluster" : "db-instance",
                                           message: notice.text, categories: Self.categories(notice.kind)))
        }
        let horizon = now - .hours(24 * 14)
        if let first = eventLog.first, first.at < horizon { eventLog.removeAll { $0.at < horizon } }
    }

    /// RDS's categories for a notice kind (working-with-events.html, "DB instance events").
    static func categories(_ kind: String) -> [String] {
        switch kind {
        case "failover-started", "failover-completed": return ["failover"]
        case "global-failover-started", "global-failover-completed", "global-switchover-started", "global-switchover-completed":
            return ["global-failover"]
        case "unavailable", "available", "rebooting": return ["availability"]
        default: return ["notification"]
        }
    }
}
