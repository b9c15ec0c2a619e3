/// The one fault model of a simulation: which domains exist, how they nest,
/// and which faults are active now.
///
/// Every fake asks this model — "is this host up?", "can X reach Y now?",
/// "how much extra latency?" — instead of keeping its own failure flags, so
/// that one scenario fault is seen the same way by S3, RDS, Route53 and
/// Kubernetes. Faults are applied and lifted by the scenario's fault schedule
/// on virtual time; the model itself holds no timers.
///
/// Value type; queries are pure functions of the current state.
public struct FaultModel: Sendable {
    /// parent of every registered domain except regions.
    private var parents: [FaultDomain: FaultDomain] = [:]
    private var registered: Set<FaultDomain> = []
    /// `ancestry(of:)` for every registered domain, rebuilt on registration
    /// (rare) so that queries (per request) allocate nothing.
    private var chains: [FaultDomain: [FaultDomain]] = [:]
    /// Active faults by identifier, kept sorted by identifier for stable iteration.
    public private(set) var active: [(id: FaultID, kind: FaultKind)] = []
    private var nextID = 1

    public init() {}

    // MARK: Topology

    /// Registers a region.
    public mutating func addRegion(_ name: String) {
        registered.insert(.region(name))
        rebuildChains()
    }

    /// Registers an availability zone inside `region`.
    public mutating func addAvailabilityZone(_ name: String, region: String) {
        addRegion(region)
        registered.insert(.availabilityZone(name))
        parents[.availabilityZone(name)] = .region(region)
        rebuildChains()
    }

    /// Registers a subnet inside `availabilityZone`.
    public mutating func addSubnet(_ id: String, availabilityZone: String) {
        registered.insert(.subnet(id))
        parents[.subnet(id)] = .availabilityZone(availabilityZone)
        rebuildChains()
    }

    /// Registers a host inside `parent` (a subnet, an AZ, or a region for
    /// regional services that span the region's AZs).
    public mutating func addHost(_ name: String, in parent: FaultDomain) {
        registered.insert(.host(name))
        parents[.host(name)] = parent
        rebuildChains()
    }

    private mutating func rebuildChains() {
        chains.removeAll(keepingCapacity: true)
        for domain in registered { chains[domain] = computeAncestry(of: domain) }
    }

    /// True if the domain was registered.
    public func contains(_ domain: FaultDomain) -> Bool { registered.contains(domain) }

    /// All registered domains of one kind, sorted by name.
    public func domains(ofKind kind: String) -> [FaultDomain] {
        registered.filter { $0.kind == kind }.sorted()
    }

    /// The chain from `domain` up to its region, `domain` first.
    public func ancestry(of domain: FaultDomain) -> [FaultDomain] {
        chains[domain] ?? computeAncestry(of: domain)
    }

    private func computeAncestry(of domain: FaultDomain) -> [FaultDomain] {
        var chain = [domain]
        var current = domain
        while let parent = parents[current], chain.count < 8 {
            chain.append(parent)
            current = parent
        }
        return chain
    }

    /// The region that contains `domain`, if it is registered under one.
    public func region(of domain: FaultDomain) -> String? {
        for d in ancestry(of: domain) { if case .region(let name) = d { return name } }
        return nil
    }

    /// The availability zone that contains `domain`, if any.
    public func availabilityZone(of domain: FaultDomain) -> String? {
        for d in ancestry(of: domain) { if case .availabilityZone(let name) = d { return name } }
        return nil
    }

    /// True if `inner` is `outer` or lies inside it.
    public func isWithin(_ inner: FaultDomain, _ outer: FaultDomain) -> Bool {
        ancestry(of: inner).contains(outer)
    }

    // MARK: Faults

    /// Starts a fault and returns its identifier.
    @discardableResult
    public mutating func apply(_ kind: FaultKind) -> FaultID {
        let id = FaultID(rawValue: nextID)
        nextID += 1
        active.append((id, kind))
        return id
    }

    /// Ends a fault. Lifting an unknown or already lifted fault does nothing.
    public mutating func lift(_ id: FaultID) {
        active.removeAll { $0.id == id }
    }

    // MARK: Queries

    /// The outermost domain that is down and contains `domain`, or nil if
    /// `domain` is up.
    public func downDomain(containing domain: FaultDomain) -> FaultDomain? {
        if active.isEmpty { return nil }
        let chain = ancestry(of: domain)
        for candidate in chain.reversed() {
            for fault in active {
                switch fault.kind {
                case .outage(let d) where d == candidate: return candidate
                case .crash(let host) where candidate == .host(host): return candidate
                default: continue
                }
            }
        }
        return nil
    }

    /// True if neither `domain` nor anything containing it is down.
    public func isUp(_ domain: FaultDomain) -> Bool { downDomain(containing: domain) == nil }

    /// Whether traffic from `source` can reach `destination` now, and if not why.
    /// Returns nil when reachable.
    public func unreachability(from source: FaultDomain, to destination: FaultDomain) -> Unreachability? {
        if active.isEmpty { return nil }
        if let down = downDomain(containing: source) { return .down(down) }
        if let down = downDomain(containing: destination) { return .down(down) }
        let sourceChain = ancestry(of: source), destinationChain = ancestry(of: destination)
        for fault in active {
            guard case .partition(let side, let peers) = fault.kind else { continue }
            let sourceInSide = side.contains { sourceChain.contains($0) }
            let destinationInSide = side.contains { destinationChain.contains($0) }
            if let peers {
                let sourceInPeers = peers.contains { sourceChain.contains($0) }
                let destinationInPeers = peers.contains { destinationChain.contains($0) }
                if (sourceInSide && destinationInPeers) || (sourceInPeers && destinationInSide) {
                    return .partitioned(fault.id)
                }
            } else if sourceInSide != destinationInSide {
                return .partitioned(fault.id)
            }
        }
        return nil
    }

    /// True when `source` can reach `destination` now.
    public func isReachable(from source: FaultDomain, to destination: FaultDomain) -> Bool {
        unreachability(from: source, to: destination) == nil
    }

    /// The latency degradations on the path between two domains (either
    /// end), as `added latency 3s on az us-west-2b`, for the reason of a
    /// call that got no answer in time; nil when there is none.
    public func latencyNote(from source: FaultDomain, to destination: FaultDomain) -> String? {
        if active.isEmpty { return nil }
        let chains = [ancestry(of: source), ancestry(of: destination)]
        let notes = active.compactMap { fault -> String? in
            guard case .latency(let domain, let latency) = fault.kind, chains.contains(where: { $0.contains(domain) }) else { return nil }
            return "added latency \(latency) on \(domain)"
        }
        return notes.isEmpty ? nil : notes.joined(separator: " and ")
    }

    /// The chance that one packet between two domains is dropped, from the
    /// active packet-loss faults on either end (independent losses combine),
    /// and what they are, for a slow call's reason; nil when there is none.
    public func packetLoss(from source: FaultDomain, to destination: FaultDomain) -> (fraction: Double, note: String)? {
        if active.isEmpty { return nil }
        let chains = [ancestry(of: source), ancestry(of: destination)]
        var delivered = 1.0
        var notes: [String] = []
        for fault in active {
            guard case .packetLoss(let domain, let fraction) = fault.kind, chains.contains(where: { $0.contains(domain) }) else { continue }
            delivered *= 1 - fraction
            notes.append("packet loss \(Int((fraction * 100).rounded()))% on \(domain)")
        }
        return notes.isEmpty ? nil : (1 - delivered, notes.joined(separator: " and "))
    }

    /// Extra one-way latency on the path between two domains, from active
    /// latency degradations on either end.
    public func addedLatency(from source: FaultDomain, to destination: FaultDomain) -> SimDuration {
        if active.isEmpty { return .zero }
        let chains = [ancestry(of: source), ancestry(of: destination)]
        var total = SimDuration.zero
        for fault in active {
            guard case .latency(let domain, let latency) = fault.kind else { continue }
            if chains.contains(where: { $0.contains(domain) }) { total += latency }
        }
        return total
    }
}
