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
    /// Aurora Global Database: the secondary region applies committed entries up to this sequence number.
    case globalReplicate(String, sequence: Int)
    /// Aurora Global Database: promotion of the secondary cluster completes.
    case globalFailoverComplete(String)
    /// Aurora Global Database: a planned switchover completes (no data loss).
    case globalSwitchoverComplete(String)
}

/// One RDS DB instance: a primary SQLite database and, with Multi-AZ, a
/// synchronous standby in another AZ (AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html).
public struct DBInstance: Sendable {
    public var identifier: String
    /// `mysql` (a DB instance) or `aurora-mysql` (an Aurora cluster).
    public var engine: String
    public var region: String
    public var multiAZ: Bool
    /// Aurora: AZs of the reader instances, in promotion order (tier 0 first).
    public var readerAZs: [String] = []
    /// Aurora Global Database: the secondary region, its cluster volume, and
    /// committed entries not yet applied there (with their sequence numbers).
    public var globalSecondaryRegion: String?
    public var globalSecondaryAZ: String?
    var secondary: SQLiteDatabase?
    var globalPending: [(sequence: Int, entries: [ReplicationEntry])] = []
    var globalSequence = 0
    var lastGlobalApplyAt: SimInstant = .zero

    public var isAurora: Bool { engine == "aurora-mysql" }
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
    /// The fault-model host of the Aurora Global Database's secondary cluster.
    public var globalSecondaryHost: String? { secondary == nil ? nil : globalSecondaryAZ.map { Self.host(identifier, az: $0) } }
    public var standbyInSync: Bool { standby != nil && pendingForStandby.isEmpty }

    /// The host the reader endpoint sends a connection to: a reader in a live
    /// AZ, else the writer (Aurora's reader endpoint falls back to the writer
    /// when no reader is available).
    public func readerHost(_ faults: FaultModel) -> String {
        readerAZs.first { faults.isUp(.host(Self.host(identifier, az: $0))) }.map { Self.host(identifier, az: $0) } ?? primaryHost
    }

    /// Where a failover would move the writer now, if anywhere: the in-sync
    /// standby (Multi-AZ instance) or the first reader in a live AZ (Aurora,
    /// whose cluster volume spans three AZs and so is always in sync).
    func failoverTarget(_ faults: FaultModel) -> String? {
        if isAurora {
            return readerAZs.first { faults.isUp(.host(Self.host(identifier, az: $0))) }
        }
        guard multiAZ, let standbyAZ, let standbyHost, faults.isUp(.host(standbyHost)), pendingForStandby.isEmpty else {
            return nil
        }
        return standbyAZ
    }

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
    /// Manual snapshots by identifier.
    public internal(set) var snapshots: [String: DBSnapshot] = [:]
    public var outbox: [(at: SimInstant, event: RDSEvent)] = []
    public var notices: [RDSNotice] = []
    /// What `DescribeEvents` lists (``logNotices(at:)``).
    public internal(set) var eventLog: [RDSLoggedEvent] = []
    /// Aurora global clusters: identifier → the primary cluster's identifier (RDSService+GlobalClusters).
    public internal(set) var globalClusters: [String: String] = [:]
    var random: SimRandom

    public init(random: SimRandom) { self.random = random }

    /// Multi-AZ failover duration: "typically one to two minutes"
    /// (AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html#Concepts.MultiAZ.Failover).
    public static let failoverDuration = SimDuration.seconds(60)...SimDuration.seconds(120)
    /// Restart of a crashed single-AZ instance on a replacement host: an
    /// assumption (AWS publishes no figure), docs/fidelity.md.
    public static let singleAZRecovery = SimDuration.minutes(5)...SimDuration.minutes(10)
    /// Aurora failover to a replica: "typically restored in less than 60
    /// seconds, and often less than 30" (AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html).
    public static let auroraFailoverDuration = SimDuration.seconds(15)...SimDuration.seconds(60)
    /// Aurora Global Database promotion of a secondary: "less than a minute"
    /// (aurora-global-database-disaster-recovery.html).
    public static let globalPromotionDuration = SimDuration.seconds(30)...SimDuration.seconds(60)

    func failoverDelay(_ instance: DBInstance) -> ClosedRange<SimDuration> {
        instance.isAurora ? Self.auroraFailoverDuration : Self.failoverDuration
    }

    /// Aurora Global Database replication lag: "typically under one second"
    /// (aurora-global-database.html): log-normal, median 300 ms, σ = 0.6
    /// (about 2% of commits take longer than a second; an assumption).
    mutating func globalLag() -> SimDuration { random.logNormal(median: .milliseconds(300), sigma: 0.6) }

    /// CreateDBCluster (Aurora MySQL): a writer, readers in other AZs, one
    /// cluster volume; with `globalSecondaryRegion`, a secondary cluster there
    /// (CreateGlobalCluster) replicated asynchronously.
    public mutating func createDBCluster(identifier: String, region: String, writerAZ: String, readerAZs: [String],
                                         globalSecondaryRegion: String?, globalSecondaryAZ: String?) throws(RDSError) {
        try createDBInstance(identifier: identifier, engine: "aurora-mysql", region: region, primaryAZ: writerAZ, standbyAZ: nil)
        instances[identifier]?.readerAZs = readerAZs
        instances[identifier]?.multiAZ = !readerAZs.isEmpty
        if let globalSecondaryRegion {
            instances[identifier]?.globalSecondaryRegion = globalSecondaryRegion
            instances[identifier]?.globalSecondaryAZ = globalSecondaryAZ
            do { instances[identifier]?.secondary = try SQLiteDatabase() } catch {
                throw RDSError(code: "InternalFailure", message: error.description)
            }
        }
    }

    /// SwitchoverGlobalCluster (planned, for a healthy database): writes
    /// pause, the secondary catches up, and the regions swap roles — RPO 0,
    /// with an outage that grows with the replication lag
    /// (aurora-global-database-disaster-recovery.html).
    public mutating func switchoverGlobalCluster(_ identifier: String, faults: FaultModel, now: SimInstant) throws(RDSError) {
        guard let instance = instances[identifier] else { throw .notFound(identifier) }
        guard instance.secondary != nil, let region = instance.globalSecondaryRegion else {
            throw RDSError(code: "InvalidGlobalClusterStateFault", message: "\(identifier) has no secondary region")
        }
        guard instance.status == .available, faults.isReachable(from: .region(instance.region), to: .region(region)) else {
            throw RDSError(code: "InvalidGlobalClusterStateFault",
                           message: "switchover needs a healthy global database; use failover (AllowDataLoss) in a regional outage")
        }
        instances[identifier]?.status = .failingOver
        let catchUp = max(instance.lastGlobalApplyAt - now, .zero)
        outbox.append((now + catchUp + random.duration(in: Self.globalPromotionDuration), .globalSwitchoverComplete(identifier)))
        notices.append(RDSNotice(instance: identifier, kind: "global-switchover-started",
                                 text: "db \(identifier): planned switchover to \(region) started (writes paused)"))
    }

    /// Makes the global secondary the primary; the old primary becomes the new
    /// secondary (switchover) or is detached (failover). Returns the regions.
    mutating func promoteGlobalSecondary(_ identifier: String, keepOldPrimaryAsSecondary: Bool, faults: FaultModel,
                                         now: SimInstant) -> (old: String, new: String)? {
        guard var instance = instances[identifier], let secondary = instance.secondary,
              let region = instance.globalSecondaryRegion, let az = instance.globalSecondaryAZ else { return nil }
        let oldPrimary = instance.primary, oldRegion = instance.region, oldAZ = instance.primaryAZ
        instance.primary = secondary
        instance.secondary = keepOldPrimaryAsSecondary ? oldPrimary : nil
        instance.globalSecondaryRegion = keepOldPrimaryAsSecondary ? oldRegion : nil
        instance.globalSecondaryAZ = keepOldPrimaryAsSecondary ? oldAZ : nil
        instance.globalPending = []
        instance.lastGlobalApplyAt = now
        instance.region = region
        instance.primaryAZ = az
        instance.readerAZs = []
        instance.failovers += 1
        instance.status = faults.isUp(.host(instance.primaryHost)) ? .available : .unavailable
        instances[identifier] = instance
        return (oldRegion, region)
    }

    /// FailoverGlobalCluster with AllowDataLoss: promote the secondary region.
    /// What it has not applied yet is lost (the measured RPO).
    public mutating func failoverGlobalCluster(_ identifier: String, now: SimInstant) throws(RDSError) {
        guard let instance = instances[identifier] else { throw .notFound(identifier) }
        guard instance.secondary != nil, let region = instance.globalSecondaryRegion else {
            throw RDSError(code: "InvalidGlobalClusterStateFault", message: "\(identifier) has no secondary region")
        }
        instances[identifier]?.status = .failingOver
        outbox.append((now + random.duration(in: Self.globalPromotionDuration), .globalFailoverComplete(identifier)))
        notices.append(RDSNotice(instance: identifier, kind: "global-failover-started",
                                 text: "db \(identifier): global failover to \(region) started (unreplicated writes will be lost)"))
    }

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
    /// Reads the current primary directly, outside any client's view (no
    /// network, no availability check): what the harness's oracles and final
    /// reads inspect. Runs one read-only statement.
    public func inspect(_ identifier: String, query sql: String) throws(RDSError) -> [[String?]] {
        guard let instance = instances[identifier] else { throw .notFound(identifier) }
        do { return try instance.primary.query(sql) } catch { throw RDSError(code: "SQLError", message: error.message) }
    }

    /// Runs a read-only statement on an Aurora Global Database's secondary
    /// cluster: what it has applied so far (its lag behind the primary), in
    /// its region, available whatever the primary region's state.
    public func queryGlobalSecondary(_ identifier: String, query sql: String) throws(RDSError) -> [[String?]] {
        guard let instance = instances[identifier] else { throw .notFound(identifier) }
        guard let secondary = instance.secondary else {
            throw RDSError(code: "InvalidDBClusterStateFault", message: "\(identifier) has no secondary cluster")
        }
        do { return try secondary.query(sql) } catch { throw RDSError(code: "SQLError", message: error.message) }
    }

    public func instance(endpoint: String) -> DBInstance? {
        instances.values.first { $0.endpoint == endpoint }
    }

    /// Runs a transaction on the primary and replicates it before returning
    /// (the acknowledgement). The caller has checked that the primary can be
    /// reached; the instance must be available.
    public mutating func execute(_ identifier: String, statements: [String], faults: FaultModel,
                                 now: SimInstant = .zero, onReader: Bool = false) throws(RDSError) -> [[String?]] {
        guard let instance = instances[identifier] else { throw .notFound(identifier) }
        if onReader, instance.isAurora {
            // Readers share the cluster volume; they answer reads even while the writer fails over.
            do { return try instance.primary.query(statements.joined(separator: "; ")) } catch {
                throw RDSError(code: "SQLError", message: error.message)
            }
        }
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
        if instance.secondary != nil, !result.log.isEmpty {
            // Asynchronous, storage-level, in commit order: never applied before an earlier commit.
            let sequence = instance.globalSequence + 1
            let due = max(instance.lastGlobalApplyAt, now + globalLag())
            instances[identifier]?.globalSequence = sequence
            instances[identifier]?.lastGlobalApplyAt = due
            instances[identifier]?.globalPending.append((sequence, result.log))
            outbox.append((due, .globalReplicate(identifier, sequence: sequence)))
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
                if instance.failoverTarget(faults) != nil {
                    instance.status = .failingOver
                    let delay = random.duration(in: failoverDelay(instance))
                    outbox.append((now + delay, .failoverComplete(identifier)))
                    notices.append(RDSNotice(instance: identifier, kind: "failover-started",
                                             text: "db \(identifier): primary in \(instance.primaryAZ) lost, \(instance.isAurora ? "Aurora failover to a replica" : "Multi-AZ failover") started"))
                } else {
                    instance.status = .unavailable
                    notices.append(RDSNotice(instance: identifier, kind: "unavailable",
                                             text: "db \(identifier): primary in \(instance.primaryAZ) lost\(instance.multiAZ ? " and no replica can take over" : ", no standby"): unavailable"))
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
        if instance.failoverTarget(faults) != nil {
            instance.status = .failingOver
            outbox.append((now + random.duration(in: failoverDelay(instance)), .failoverComplete(identifier)))
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
            guard var instance = instances[identifier], instance.status == .failingOver else { return }
            if instance.isAurora {
                // The cluster volume is shared: promotion moves the writer to a reader's AZ.
                guard let target = instance.failoverTarget(faults) else {
                    instance.status = .unavailable
                    instances[identifier] = instance
                    return
                }
                instance.readerAZs.removeAll { $0 == target }
                instance.readerAZs.append(instance.primaryAZ)
                instance.primaryAZ = target
                instance.failovers += 1
                instance.status = .available
                instances[identifier] = instance
                notices.append(RDSNotice(instance: identifier, kind: "failover-completed",
                                         text: "db \(identifier): failover complete, writer now in \(target)"))
                return
            }
            guard let standby = instance.standby, let standbyAZ = instance.standbyAZ else { return }
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
        case .globalReplicate(let identifier, let sequence):
            guard let instance = instances[identifier], let secondary = instance.secondary,
                  let region = instance.globalSecondaryRegion else { return }
            // Replication stops while either region is cut off; it resumes in order.
            guard faults.isReachable(from: .region(instance.region), to: .region(region)) else {
                // Only the newest commit retries: applying it applies every earlier one.
                if sequence == instance.globalSequence {
                    outbox.append((now + .seconds(1), .globalReplicate(identifier, sequence: sequence)))
                }
                return
            }
            var pending = instance.globalPending
            while let first = pending.first, first.sequence <= sequence {
                for entry in first.entries { try? secondary.apply(entry) }
                pending.removeFirst()
            }
            instances[identifier]?.globalPending = pending
        case .globalFailoverComplete(let identifier):
            // Unplanned: what the secondary has not applied is lost; the old region is detached.
            let lost = instances[identifier]?.globalPending.count ?? 0
            guard let region = promoteGlobalSecondary(identifier, keepOldPrimaryAsSecondary: false, faults: faults, now: now) else { return }
            notices.append(RDSNotice(instance: identifier, kind: "global-failover-completed",
                                     text: "db \(identifier): \(region.new) promoted to primary; \(lost) unreplicated commits lost"))
        case .globalSwitchoverComplete(let identifier):
            // Planned: the secondary applies everything first, then the regions swap roles.
            if let instance = instances[identifier], let secondary = instance.secondary {
                for pending in instance.globalPending { for entry in pending.entries { try? secondary.apply(entry) } }
            }
            guard let region = promoteGlobalSecondary(identifier, keepOldPrimaryAsSecondary: true, faults: faults, now: now) else { return }
            notices.append(RDSNotice(instance: identifier, kind: "global-switchover-completed",
                                     text: "db \(identifier): \(region.new) is the primary region now, \(region.old) the secondary; no commit lost"))
        case .rebootComplete(let identifier):
            guard var instance = instances[identifier], instance.status == .rebooting else { return }
            instance.status = faults.isUp(.host(instance.primaryHost)) ? .available : .unavailable
            instances[identifier] = instance
            notices.append(RDSNotice(instance: identifier, kind: "available", text: "db \(identifier): restarted, available"))
        }
    }
}
