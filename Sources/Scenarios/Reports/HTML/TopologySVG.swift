import SimCore

/// The HTML report's topology at one instant: regions, their AZs with
/// subnets, hosts and Kubernetes nodes (pods are not drawn), the database's primary and
/// standby, the buckets — each coloured by its state then (up, down,
/// partitioned, slowed, crashed), from the scenario's fault schedule and the
/// database failovers the timeline records.
struct TopologySVG {
    let scenario: Scenario
    let timeline: [TimelineEntry]

    enum State: String {
        case up, down, partitioned, slow, crashed, failingOver = "failing-over"
    }

    /// The instants worth a snapshot: before the first fault, just after each
    /// fault starts and ends, and the end; at most 40, in order.
    func instants() -> [SimInstant] {
        var set: Set<SimInstant> = [.zero]
        for fault in scenario.faults {
            set.insert(.zero + fault.at + .seconds(1))
            if let end = fault.end { set.insert(.zero + end + .seconds(1)) }
        }
        for entry in timeline where entry.kind == "rds-failover-completed" { set.insert(entry.at + .seconds(1)) }
        let end = SimInstant.zero + scenario.duration
        return Array(set.filter { $0 < end }.sorted().prefix(39)) + [end]
    }

    /// The faults active at `instant`.
    func active(at instant: SimInstant) -> [FaultSpec] {
        scenario.faults.filter { fault in
            let start = SimInstant.zero + fault.at
            if fault.action.isInstant { return false }
            return start <= instant && instant < SimInstant.zero + (fault.end ?? scenario.duration + .seconds(1))
        }
    }

    /// The chain of a host up to its region (host, subnet, AZ, region).
    func chain(of domain: FaultDomain) -> [FaultDomain] {
        var chain = [domain]
        if case .host(let name) = domain, let host = scenario.topology.hosts.first(where: { $0.name == name }) {
            chain.append(contentsOf: self.chain(of: host.placement))
        } else if case .subnet(let id) = domain, let subnet = scenario.topology.subnets.first(where: { $0.id == id }) {
            chain.append(contentsOf: self.chain(of: .availabilityZone(subnet.availabilityZone)))
        } else if case .availabilityZone(let zone) = domain,
                  let region = scenario.topology.regions.first(where: { $0.availabilityZones.contains(zone) }) {
            chain.append(.region(region.name))
        }
        return chain
    }

    func state(of domain: FaultDomain, at instant: SimInstant) -> State {
        let within = chain(of: domain)
        var state = State.up
        for fault in active(at: instant) where within.contains(fault.target) {
            switch fault.action {
            case .azOutage, .regionOutage: return .down
            case .hostCrash, .nodeCrash: state = .crashed
            case .networkPartition: if state == .up { state = .partitioned }
            case .networkLatency, .networkPacketLoss: if state == .up { state = .slow }
            default: break
            }
        }
        return state
    }

    /// The database's primary AZ at `instant`, and whether a failover is under way.
    func databasePrimary(at instant: SimInstant) -> (zone: String, failingOver: Bool)? {
        guard let database = scenario.database else { return nil }
        var zone = database.primaryAZ
        var failingOver = false
        for entry in timeline where entry.at <= instant {
            if entry.kind == "rds-failover-started" { failingOver = true }
            if entry.kind == "rds-failover-completed" {
                failingOver = false
                if let range = entry.text.range(of: "primary now in ") {
                    zone = String(entry.text[range.upperBound...].prefix { !$0.isWhitespace && $0 != "," && $0 != ";" })
                }
            }
        }
        return (zone, failingOver)
    }

    func render(at instant: SimInstant, index: Int, visible: Bool) -> String {
        let zoneWidth = 200.0, gap = 14.0, hostHeight = 17.0
        let kubeNodes = Set(scenario.kubernetes?.nodes.map(\.name) ?? [])
        var x = 10.0
        var body: [String] = []
        var height = 0.0
        let primary = databasePrimary(at: instant)
        for region in scenario.topology.regions {
            let zones = region.availabilityZones
            let regionWidth = Double(max(zones.count, 1)) * (zoneWidth + gap) + gap
            var zoneBodies: [String] = []
            var tallest = 0.0
            for (offset, zone) in zones.enumerated() {
                let zx = x + gap + Double(offset) * (zoneWidth + gap)
                var lines: [String] = []
                var y = 62.0
                let zoneState = state(of: .availabilityZone(zone), at: instant)
                let subnets = scenario.topology.subnets.filter { $0.availabilityZone == zone }
                if !subnets.isEmpty {
                    let names = subnets.map { subnet in
                        let mark = state(of: .subnet(subnet.id), at: instant)
                        return subnet.id + (subnet.isPublic ? " (public)" : "") + (mark == zoneState ? "" : " · \(mark.rawValue)")
                    }
                    lines.append("<text class=\"subnets\" x=\"\(HTMLText.number(zx + 8))\" y=\"\(HTMLText.number(y + 8))\">\(HTMLText.escape(names.joined(separator: ", ")))<title>subnets: \(HTMLText.escape(subnets.map { "\($0.id) \($0.cidr)" }.joined(separator: ", ")))</title></text>")
                    y += 16
                }
                if let database = scenario.database, database.region == region.name {
                    let isPrimary = primary?.zone == zone
                    let isStandby = !isPrimary && (database.standbyAZ == zone || database.primaryAZ == zone || database.readerAZs.contains(zone))
                    if isPrimary || isStandby {
                        let role = isPrimary ? (primary?.failingOver == true ? "failing over" : "primary") : "standby"
                        let cssClass = zoneState == .down ? "down" : isPrimary && primary?.failingOver == true ? "failing-over" : "up"
                        lines.append(box(zx + 8, y, zoneWidth - 16, hostHeight, "db \(cssClass)", "\(database.identifier) (\(role))"))
                        y += hostHeight + 4
                    }
                }
                let hosts = scenario.topology.hosts.filter { chain(of: $0.placement).contains(.availabilityZone(zone)) }
                for host in hosts.prefix(24) {
                    let hostState = state(of: .host(host.name), at: instant)
                    let kind = kubeNodes.contains(host.name) ? "node" : "host"
                    lines.append(box(zx + 8, y, zoneWidth - 16, hostHeight, "\(kind) \(hostState.rawValue)", host.name))
                    y += hostHeight + 3
                }
                if hosts.count > 24 {
                    lines.append("<text class=\"muted\" x=\"\(HTMLText.number(zx + 10))\" y=\"\(HTMLText.number(y + 12))\">+\(hosts.count - 24) more</text>")
                    y += hostHeight
                }
                tallest = max(tallest, y)
                zoneBodies.append("<g class=\"zone\" data-zone=\"\(HTMLText.escape(zone))\" data-state=\"\(zoneState.rawValue)\">"
                    + "<rect class=\"az \(zoneState.rawValue)\" x=\"\(HTMLText.number(zx))\" y=\"36\" width=\"\(HTMLText.number(zoneWidth))\" height=\"HEIGHT\" rx=\"6\"/>"
                    + "<text class=\"az-label\" x=\"\(HTMLText.number(zx + 8))\" y=\"53\">\(HTMLText.escape(zone)) · \(zoneState.rawValue)</text>"
                    + lines.joined() + "</g>")
            }
            var buckets: [String] = []
            var by = tallest + 10
            for bucket in scenario.buckets where bucket.region == region.name || bucket.replicateTo == region.name {
                let name = bucket.region == region.name ? bucket.name : (bucket.replicaBucket ?? bucket.name)
                let bucketState = state(of: .region(region.name), at: instant)
                buckets.append(box(x + gap, by, regionWidth - 2 * gap, hostHeight, "bucket \(bucketState.rawValue)", "s3://\(name)"))
                by += hostHeight + 4
            }
            let regionHeight = by + 8
            let zoneHeight = tallest - 36 + 6
            let regionState = state(of: .region(region.name), at: instant)
            body.append("<g class=\"region\" data-region=\"\(HTMLText.escape(region.name))\">"
                + "<rect class=\"region-box \(regionState.rawValue)\" x=\"\(HTMLText.number(x))\" y=\"6\" width=\"\(HTMLText.number(regionWidth))\" height=\"\(HTMLText.number(regionHeight))\" rx=\"8\"/>"
                + "<text class=\"region-label\" x=\"\(HTMLText.number(x + 10))\" y=\"26\">\(HTMLText.escape(region.name))</text>"
                + zoneBodies.joined().replacingOccurrences(of: "height=\"HEIGHT\"", with: "height=\"\(HTMLText.number(zoneHeight))\"")
                + buckets.joined() + "</g>")
            x += regionWidth + 16
            height = max(height, regionHeight + 12)
        }
        return "<svg class=\"topology\" data-index=\"\(index)\" data-at=\"\(HTMLText.escape("T+\(instant.sinceStart)"))\"\(visible ? "" : " style=\"display:none\"") "
            + "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(HTMLText.number(x)) \(HTMLText.number(height))\" width=\"\(HTMLText.number(x))\" height=\"\(HTMLText.number(height))\" role=\"img\" aria-label=\"topology at T+\(HTMLText.escape(instant.sinceStart.description))\">"
            + body.joined() + "</svg>"
    }

    func box(_ x: Double, _ y: Double, _ width: Double, _ height: Double, _ cssClass: String, _ label: String) -> String {
        "<g class=\"item \(cssClass)\"><rect x=\"\(HTMLText.number(x))\" y=\"\(HTMLText.number(y))\" width=\"\(HTMLText.number(width))\" height=\"\(HTMLText.number(height))\" rx=\"3\"/>"
            + "<text x=\"\(HTMLText.number(x + 5))\" y=\"\(HTMLText.number(y + height - 4.5))\">\(HTMLText.escape(label))</text><title>\(HTMLText.escape(label))</title></g>"
    }
}
