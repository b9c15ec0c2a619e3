import SimCore

/// An error of the RDS data path or API, with the AWS code where one exists.
public struct RDSError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var description: String { "\(code): \(message)" }

    static func notFound(_ identifier: String) -> RDSError {
        RDSError(code: "DBInstanceNotFound", message: "DBInstance \(identifier) not found.")
    }
}

/// The status RDS reports for a DB instance (DescribeDBInstances `DBInstanceStatus`).
public enum DBInstanceStatus: String, Hashable, Sendable {
    case available
    /// A Multi-AZ failover is in progress; the endpoint refuses connections.
    case failingOver = "failing-over"
    /// The primary is lost and there is nothing to fail over to.
    case unavailable
    case rebooting
}

/// Work RDS schedules for itself.
public enum RDSEvent: Hashable, Sendable {
    case failoverComplete(String)
    case rebootComplete(String)
}

/// One RDS DB instance: a primary SQLite database and, with Multi-AZ, a
/// synchronous standby in another AZ (AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html).
public struct DBInstance: Sendable {
    public var identifier: String
    public var engine: String
    public var region: String
    public var multiAZ: Bool
    /// The AZ of the current primary.
    public var primaryAZ: String
    /// The AZ of the standby (Multi-AZ only).
    public var standbyAZ: String?
    public var status: DBInstanceStatus
    /// The DNS name clients connect to; it follows the primary through failover.
    public var endpoint: String
    var primary: SQLiteDatabase
    var standby: SQLiteDatabase?
    /// Committed entries the standby has not applied yet (while it is unreachable).
    var pendingForStandby: [ReplicationEntry] = []
    public var failovers = 0

    /// The fault-model host of the replica in `az`.
    public static func host(_ identifier: String, az: String) -> String { "rds-\(identifier)-\(az)" }
    public var primaryHost: String { Self.host(identifier, az: primaryAZ) }
    public var standbyHost: String? { standbyAZ.map { Self.host(identifier, az: $0) } }
    public var standbyInSync: Bool { standby != nil && pendingForStandby.isEmpty }

    /// The status as DescribeDBInstances names it.
    public var statusName: String { status.rawValue }
}

/// What happened inside RDS that a report should show.
public struct RDSNotice: Sendable, Equatable {
    public var instance: String
    public var kind: String
    public var text: String
}

/// RDS DB instances on real SQLite databases.
///
/// Writes run as SQLite transactions on the primary; each commit's changeset
/// is applied to the standby before the commit is acknowledged (synchronous
/// replication, RPO 0). When the primary's AZ is lost (or the primary
/// crashes) a Multi-AZ instance fails over to the standby after a delay drawn
/// from AWS's "typically one to two minutes"; a single-AZ instance stays down
/// until its AZ returns. Like ``S3Service``, background work leaves through
/// ``outbox`` and reportable happenings through ``notices``.
public struct RDSService: Sendable {
    public internal(set) var instances: [String: DBInstance] = [:]
    public var outbox: [(at: SimInstant, event: RDSEvent)] = []
    public var notices: [RDSNotice] = []
    var random: SimRandom

    public init(random: SimRandom) { self.random = random }

    /// Multi-AZ failover duration: "typically one to two minutes"
    /// (AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html#Concepts.MultiAZ.Failover).
    public static let failoverDuration = SimDuration.seconds(60)...SimDuration.seconds(120)
    /// Restart of a crashed single-AZ instance on a replacement host: an
    /// assumption (AWS publishes no figure), docs/fidelity.md.
    public static let singleAZRecovery = SimDuration.minutes(5)...SimDuration.minutes(10)

    /// CreateDBInstance.
    public mutating func createDBInstance(identifier: String, engine: String, region: String, primaryAZ: String,
                                          standbyAZ: String?) throws(RDSError) {
        guard instances[identifier] == nil else {
            throw RDSError(code: "DBInstanceAlreadyExists", message: "DB instance already exists")
        }
        do {
            let suffix = String(StableHash.fnv1a64(identifier + region), radix: 36).prefix(12)
            instances[identifier] = DBInstance(
                identifier: identifier, engine: engine, region: region, multiAZ: standbyAZ != nil, primaryAZ: primaryAZ,
                standbyAZ: standbyAZ, status: .available, endpoint: "\(identifier).\(suffix).\(region).rds.amazonaws.com",
                primary: try SQLiteDatabase(), standby: standbyAZ == nil ? nil : try SQLiteDatabase())
        } catch {
            throw RDSError(code: "InternalFailure", message: error.description)
        }
    }

    /// The instance behind an endpoint name.
    public func instance(endpoint: String) -> DBInstance? {
        instances.values.first { $0.endpoint == endpoint }
    }

    /// Runs a transaction on the primary and replicates it before returning
    /// (the acknowledgement). The caller has checked that the primary can be
    /// reached; the instance must be available.
    public mutating func execute(_ identifier: String, statements: [String], faults: FaultModel) throws(RDSError) -> [[String?]] {
        guard let instance = instances[identifier] else { throw .notFound(identifier) }
        guard instance.status == .available else {
            throw RDSError(code: "ConnectionRefused", message: "\(instance.endpoint) is \(instance.statusName)")
        }
        let result: (rows: [[String?]], log: [ReplicationEntry])
        do { result = try instance.primary.transaction(statements) } catch {
            throw RDSError(code: "SQLError", message: error.message)
        }
        if let standby = instance.standby, let host = instance.standbyHost {
            if instance.pendingForStandby.isEmpty, faults.isUp(.host(host)) {
                for entry in result.log { try? standby.apply(entry) }
            } else {
                instances[identifier]?.pendingForStandby += result.log
            }
        }
        return result.rows
    }

    /// Reacts to a change in the fault model: start failovers, take
    /// instances down or bring them back, catch standbys up.
    public mutating func faultsChanged(_ faults: FaultModel, now: SimInstant) {
        for identifier in instances.keys.sorted() {
            guard var instance = instances[identifier] else { continue }
            let primaryUp = faults.isUp(.host(instance.primaryHost))
            let standbyUp = instance.standbyHost.map { faults.isUp(.host($0)) } ?? false
            if primaryUp, standbyUp, let standby = instance.standby, !instance.pendingForStandby.isEmpty {
                for entry in instance.pendingForStandby { try? standby.apply(entry) }
                instance.pendingForStandby = []
                notices.append(RDSNotice(instance: identifier, kind: "standby-in-sync",
                                         text: "db \(identifier): standby in \(instance.standbyAZ ?? "") caught up"))
            }
            switch instance.status {
            case .available where !primaryUp:
                if instance.multiAZ, standbyUp, instance.pendingForStandby.isEmpty {
                    instance.status = .failingOver
                    let delay = random.duration(in: Self.failoverDuration)
                    outbox.append((now + delay, .failoverComplete(identifier)))
                    notices.append(RDSNotice(instance: identifier, kind: "failover-started",
                                             text: "db \(identifier): primary in \(instance.primaryAZ) lost, Multi-AZ failover started"))
                } else {
                    instance.status = .unavailable
                    notices.append(RDSNotice(instance: identifier, kind: "unavailable",
                                             text: "db \(identifier): primary in \(instance.primaryAZ) lost\(instance.multiAZ ? " and the standby is not in sync" : ", no standby"): unavailable"))
                }
            case .unavailable where primaryUp:
                instance.status = .available
                notices.append(RDSNotice(instance: identifier, kind: "available",
                                         text: "db \(identifier): primary in \(instance.primaryAZ) back, available"))
            default:
                break
            }
            instances[identifier] = instance
        }
    }

    /// A crash of the primary's database process (FIS `aws:rds:reboot-db-instances`
    /// with forceFailover, for Multi-AZ): a Multi-AZ instance fails over; a
    /// single-AZ one restarts on a replacement host.
    public mutating func crashPrimary(_ identifier: String, faults: FaultModel, now: SimInstant) throws(RDSError) {
        guard var instance = instances[identifier] else { throw .notFound(identifier) }
        guard instance.status == .available else { return }
        let standbyUp = instance.standbyHost.map { faults.isUp(.host($0)) } ?? false
        if instance.multiAZ, standbyUp, instance.pendingForStandby.isEmpty {
            instance.status = .failingOver
            outbox.append((now + random.duration(in: Self.failoverDuration), .failoverComplete(identifier)))
            notices.append(RDSNotice(instance: identifier, kind: "failover-started",
                                     text: "db \(identifier): primary crashed, Multi-AZ failover started"))
        } else {
            instance.status = .rebooting
            outbox.append((now + random.duration(in: Self.singleAZRecovery), .rebootComplete(identifier)))
            notices.append(RDSNotice(instance: identifier, kind: "rebooting",
                                     text: "db \(identifier): primary crashed, restarting"))
        }
        instances[identifier] = instance
    }

    public mutating func handle(_ event: RDSEvent, faults: FaultModel, now: SimInstant) {
        switch event {
        case .failoverComplete(let identifier):
            guard var instance = instances[identifier], instance.status == .failingOver,
                  let standby = instance.standby, let standbyAZ = instance.standbyAZ else { return }
            // The standby becomes the primary; the endpoint's DNS record now names it.
            let oldPrimary = instance.primary, oldAZ = instance.primaryAZ
            instance.primary = standby
            instance.primaryAZ = standbyAZ
            instance.standby = oldPrimary
            instance.standbyAZ = oldAZ
            instance.failovers += 1
            instance.status = faults.isUp(.host(instance.primaryHost)) ? .available : .unavailable
            instances[identifier] = instance
            notices.append(RDSNotice(instance: identifier, kind: "failover-completed",
                                     text: "db \(identifier): failover complete, primary now in \(standbyAZ)"))
        case .rebootComplete(let identifier):
            guard var instance = instances[identifier], instance.status == .rebooting else { return }
            instance.status = faults.isUp(.host(instance.primaryHost)) ? .available : .unavailable
            instances[identifier] = instance
            notices.append(RDSNotice(instance: identifier, kind: "available", text: "db \(identifier): restarted, available"))
        }
    }
}
