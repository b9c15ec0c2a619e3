import SimCore

/// Routing of a record set (ChangeResourceRecordSets `ResourceRecordSet`).
public enum Route53Routing: Hashable, Sendable {
    case simple
    /// Failover routing: `PRIMARY` or `SECONDARY`.
    case failover(primary: Bool)
    /// Weighted routing with a relative weight (0–255).
    case weighted(weight: Int)
}

/// A record set. Values name endpoints of the simulated world (hosts, AZs,
/// regions) rather than IP addresses, so that an answer can be checked
/// against the fault model.
public struct Route53Record: Hashable, Sendable {
    public var name: String
    public var type: String
    public var ttl: SimDuration
    public var target: String
    public var routing: Route53Routing
    public var setIdentifier: String?
    public var healthCheck: String?
    /// An alias record answers what the record named here answers (with that
    /// record's TTL; alias records have none of their own).
    public var aliasTarget: String?
    /// For aliases: healthy only while the aliased name has a healthy answer.
    public var evaluateTargetHealth: Bool

    public init(name: String, type: String, ttl: SimDuration, target: String, routing: Route53Routing,
                setIdentifier: String? = nil, healthCheck: String? = nil, aliasTarget: String? = nil,
                evaluateTargetHealth: Bool = false) {
        self.name = name
        self.type = type
        self.ttl = ttl
        self.target = target
        self.routing = routing
        self.setIdentifier = setIdentifier
        self.healthCheck = healthCheck
        self.aliasTarget = aliasTarget
        self.evaluateTargetHealth = evaluateTargetHealth
    }
}

/// A health check of one endpoint, evaluated by several checkers on virtual time.
public struct Route53HealthCheck: Hashable, Sendable {
    public var id: String
    /// The endpoint probed (a fault-model domain).
    public var target: FaultDomain
    /// 30 s (standard) or 10 s (fast).
    public var requestInterval: SimDuration
    /// Consecutive results needed to change a checker's view (default 3).
    public var failureThreshold: Int
    /// Each checker's view and its run of consecutive opposite results.
    var checkerHealthy: [Bool]
    var checkerStreak: [Int]
    /// Forced failure (`dns-health-check-failure`).
    public var forcedUnhealthy = false
    /// Whether the endpoint answers on its port, for targets whose health is
    /// more than their domain being up (a load balancer with no healthy
    /// target refuses the probe's connection); set by the owner of the endpoint.
    public var endpointAnswers = true

    /// Route 53 considers an endpoint healthy when more than 18% of its
    /// checkers report it healthy (dns-failover-determining-health-of-endpoints.html).
    public var isHealthy: Bool {
        let healthy = checkerHealthy.filter { $0 }.count
        return Double(healthy) / Double(max(checkerHealthy.count, 1)) > 0.18
    }

    /// The longest a down endpoint can still be reported healthy: threshold
    /// probes at the interval, plus one interval of probe phase.
    public var detectionBound: SimDuration { requestInterval * Int64(failureThreshold + 1) }
}

/// Health-check probes scheduled on virtual time.
public enum Route53Event: Hashable, Sendable {
    case probe(healthCheck: String, checker: Int)
}

/// What a resolver answered.
public struct DNSAnswer: Hashable, Sendable {
    public var target: String
    /// True when the answer came from Route 53, false from the client's cache.
    public var authoritative: Bool
    public var expires: SimInstant
}

/// Route 53 (global): one hosted zone's record sets, health checks probed by
/// checkers in several regions, and per-client resolvers that cache answers
/// for the record's TTL — so failover takes detection plus TTL, as for real clients.
public struct Route53Service: Sendable {
    /// Checker locations; Route 53 uses checkers in several regions (three simulated).
    public static let checkerCount = 3

    public internal(set) var records: [Route53Record] = []
    /// The hosted zone (one per simulated account): id and name.
    public internal(set) var zone: (id: String, name: String)?
    /// A private zone answers only clients inside its VPC's region.
    public internal(set) var privateZoneRegion: String?
    public internal(set) var healthChecks: [String: Route53HealthCheck] = [:]
    var caches: [String: [String: DNSAnswer]] = [:]
    public var outbox: [(at: SimInstant, event: Route53Event)] = []
    public var notices: [String] = []
    /// Names AWS answers from its own hosted zones (a load balancer's DNS
    /// name), published by the service that owns them; alias records may name them.
    public internal(set) var managedNames: [String: ManagedName] = [:]
    var random: SimRandom

    /// A name answered by AWS on a service's behalf: its addresses (a client
    /// gets one of them), whether any is healthy (an alias evaluating target
    /// health sees this), and the TTL (60 s for load balancers).
    public struct ManagedName: Hashable, Sendable {
        public var addresses: [String]
        public var healthy: Bool
        public var ttl: SimDuration
        public init(addresses: [String], healthy: Bool, ttl: SimDuration) {
            self.addresses = addresses
            self.healthy = healthy
            self.ttl = ttl
        }
    }

    public init(random: SimRandom) { self.random = random }

    /// Publishes (or, with nil, withdraws) a name AWS answers for a service.
    public mutating func publish(_ name: String, _ answer: ManagedName?) {
        managedNames[name.lowercased()] = answer
    }

    /// CreateHostedZone.
    public mutating func createHostedZone(name: String, privateVPCRegion: String? = nil) -> String {
        let id = "Z" + String(String(StableHash.fnv1a64(name), radix: 36).uppercased().prefix(13))
        zone = (id, name)
        privateZoneRegion = privateVPCRegion
        return id
    }

    /// DELETE of a record set: false when it does not exist.
    public mutating func delete(name: String, type: String, setIdentifier: String?) -> Bool {
        let before = records.count
        records.removeAll { $0.name == name && $0.type == type && $0.setIdentifier == setIdentifier }
        return records.count < before
    }

    /// CreateHealthCheck: probes start at once, staggered across checkers.
    public mutating func createHealthCheck(id: String, target: FaultDomain, requestInterval: SimDuration,
                                           failureThreshold: Int, now: SimInstant) {
        healthChecks[id] = Route53HealthCheck(id: id, target: target, requestInterval: requestInterval,
                                              failureThreshold: failureThreshold,
                                              checkerHealthy: Array(repeating: true, count: Self.checkerCount),
                                              checkerStreak: Array(repeating: 0, count: Self.checkerCount))
        for checker in 0..<Self.checkerCount {
            let phase = SimDuration(nanoseconds: requestInterval.nanoseconds * Int64(checker) / Int64(Self.checkerCount))
            outbox.append((now + phase, .probe(healthCheck: id, checker: checker)))
        }
    }

    /// ChangeResourceRecordSets (CREATE/UPSERT of one record set).
    public mutating func upsert(_ record: Route53Record) {
        records.removeAll { $0.name == record.name && $0.type == record.type && $0.setIdentifier == record.setIdentifier }
        records.append(record)
    }

    /// Forces a health check to fail (or stop failing), as `dns-health-check-failure` does.
    public mutating func setForcedFailure(_ id: String, _ failing: Bool) {
        healthChecks[id]?.forcedUnhealthy = failing
    }

    /// Says whether the endpoint behind a health check answers its probes
    /// (seen by the probes from then on).
    public mutating func setEndpointAnswers(_ id: String, _ answers: Bool) {
        healthChecks[id]?.endpointAnswers = answers
    }

    public mutating func handle(_ event: Route53Event, faults: FaultModel, now: SimInstant) {
        switch event {
        case let .probe(id, checker):
            guard var check = healthChecks[id] else { return }
            // Checkers are outside the customer's network: only the endpoint's own state matters.
            let ok = !check.forcedUnhealthy && check.endpointAnswers && faults.isUp(check.target)
            let wasHealthy = check.isHealthy
            if ok == check.checkerHealthy[checker] {
                check.checkerStreak[checker] = 0
            } else {
                check.checkerStreak[checker] += 1
                if check.checkerStreak[checker] >= check.failureThreshold {
                    check.checkerHealthy[checker] = ok
                    check.checkerStreak[checker] = 0
                }
            }
            if wasHealthy != check.isHealthy {
                notices.append("health check \(id) \(check.isHealthy ? "healthy" : "unhealthy") (\(check.target))")
            }
            healthChecks[id] = check
            outbox.append((now + check.requestInterval, .probe(healthCheck: id, checker: checker)))
        }
    }

    /// What Route 53 answers for `name` now (no cache): failover records
    /// answer the PRIMARY while it is healthy, else a healthy SECONDARY (if
    /// every record is unhealthy, Route 53 answers as if all were healthy);
    /// weighted records pick among healthy ones by weight.
    public mutating func authoritativeAnswer(name: String) -> Route53Record? {
        answer(name: name, depth: 0)
    }

    /// Resolution with aliases followed (at most 8 deep, which also stops cycles).
    mutating func answer(name: String, depth: Int) -> Route53Record? {
        guard depth < 8 else { return nil }
        let candidates = records.filter { $0.name == name }
        guard !candidates.isEmpty else {
            guard let managed = managedNames[name.lowercased()], !managed.addresses.isEmpty else { return nil }
            let address = managed.addresses[Int(random.next(upperBound: UInt64(managed.addresses.count)))]
            return Route53Record(name: name, type: "A", ttl: managed.ttl, target: address, routing: .simple)
        }
        var healthyCandidates: [Route53Record] = []
        for record in candidates where isHealthy(record, depth: depth) { healthyCandidates.append(record) }
        let pool = healthyCandidates.isEmpty ? candidates : healthyCandidates
        var chosen: Route53Record?
        if let primary = pool.first(where: { $0.routing == .failover(primary: true) }) {
            chosen = primary
        } else if let secondary = pool.first(where: { $0.routing == .failover(primary: false) }) {
            chosen = secondary
        } else {
            let weighted = pool.compactMap { record -> (Route53Record, Int)? in
                if case .weighted(let weight) = record.routing, weight > 0 { return (record, weight) }
                return nil
            }
            if !weighted.isEmpty {
                var pick = Int(random.next(upperBound: UInt64(weighted.reduce(0) { $0 + $1.1 })))
                for (record, weight) in weighted {
                    if pick < weight { chosen = record; break }
                    pick -= weight
                }
            }
            if chosen == nil { chosen = pool.first }
        }
        guard let record = chosen else { return nil }
        if let alias = record.aliasTarget { return answer(name: alias, depth: depth + 1) }
        return record
    }

    func isHealthy(_ record: Route53Record, depth: Int) -> Bool {
        if let check = record.healthCheck, let state = healthChecks[check], !state.isHealthy { return false }
        if record.evaluateTargetHealth, let alias = record.aliasTarget {
            if let managed = managedNames[alias.lowercased()] { return managed.healthy }
            let targets = records.filter { $0.name == alias }
            return targets.contains { isHealthy($0, depth: depth + 1) } && depth < 8
        }
        return true
    }

    /// A client's stub resolver: the cached answer while its TTL lasts, else
    /// Route 53's answer, cached for the record's TTL.
    public mutating func resolve(name: String, client: String, clientRegion: String? = nil, now: SimInstant) -> DNSAnswer? {
        if let privateRegion = privateZoneRegion, clientRegion != privateRegion { return nil }
        if let cached = caches[client]?[name], cached.expires > now {
            var answer = cached
            answer.authoritative = false
            return answer
        }
        guard let record = authoritativeAnswer(name: name) else { return nil }
        let answer = DNSAnswer(target: record.target, authoritative: true, expires: now + record.ttl)
        caches[client, default: [:]][name] = answer
        return answer
    }

    /// The health check guarding records whose target is `target`, if any.
    public func healthCheck(forTarget target: String) -> Route53HealthCheck? {
        records.first { $0.target == target && $0.healthCheck != nil }.flatMap { record in
            record.healthCheck.flatMap { healthChecks[$0] }
        }
    }
}
