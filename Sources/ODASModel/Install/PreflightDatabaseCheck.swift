import AWSSim

/// The catalog database: it exists, is MySQL-compatible, sits in the ODAS
/// subnets (Okera places the RDBMS "in the same subnet as Okera"), admits
/// the ODAS nodes on 3306, and has a standby in another AZ (a warning when not:
/// Okera recommends Multi-AZ for AZ-failure resilience).
struct DatabaseCheck: PreflightCheck {
    static let id = "database"
    static let title = "The catalog database is reachable from the ODAS subnets on 3306, in their zones, and Multi-AZ"

    static func run(_ p: ODASPrerequisites, _ env: PreflightEnvironment) -> (verified: [String], findings: [PreflightFinding]) {
        guard let spec = p.database else {
            return ([], [PreflightFinding(.gap, resource: "odas.catalog.database", problem: "no catalog database: ODAS keeps its catalog and policies in a shared MySQL-compatible database",
                                          fix: "add a database: section (RDS MySQL or Aurora MySQL) and name it in odas.catalog.database")])
        }
        guard let db = env.rds.instances[spec.identifier] else {
            return ([], [PreflightFinding(.gap, resource: "DB instance \(spec.identifier)", problem: "the DB instance does not exist",
                                          fix: "aws rds create-db-instance --db-instance-identifier \(spec.identifier) --engine mysql --multi-az …")])
        }
        var verified = ["DB instance \(db.identifier) (\(db.engine), MySQL-compatible) at \(db.endpoint):\(ODASPortMap.databasePort)"]
        var findings: [PreflightFinding] = []
        let resource = "DB instance \(db.identifier)"
        let zones = Set(p.subnets.map(\.availabilityZone))
        if db.region != p.region {
            findings.append(PreflightFinding(.gap, resource: resource, problem: "the database is in \(db.region), ODAS in \(p.region): every catalog read crosses regions",
                                             fix: "use a database in \(p.region), in the ODAS subnets"))
        } else {
            let instances = [("primary", db.primaryAZ)] + (db.standbyAZ.map { [("standby", $0)] } ?? []) + db.readerAZs.map { ("reader", $0) }
            let outside = instances.filter { !zones.contains($0.1) }
            if outside.isEmpty {
                verified.append("\(instances.map { "\($0.0) in \($0.1)" }.joined(separator: ", ")): zones of the ODAS subnets")
            } else {
                findings.append(PreflightFinding(.gap, resource: resource,
                                                 problem: outside.map { "the \($0.0) is in \($0.1)" }.joined(separator: ", ") + ", where ODAS has no subnet (Okera places the database in the ODAS subnets)",
                                                 fix: "use a DB subnet group of the ODAS subnets (\(p.subnets.map(\.id).joined(separator: ", ")))"))
            }
        }
        if db.multiAZ || !db.readerAZs.isEmpty {
            verified.append(db.isAurora ? "Aurora readers in \(db.readerAZs.joined(separator: ", ")) take over from the writer" : "Multi-AZ: standby in \(db.standbyAZ ?? "another zone")")
        } else {
            findings.append(PreflightFinding(.warning, resource: resource,
                                             problem: "single-AZ: losing \(db.primaryAZ) stops the catalog (every scan's planning and every catalog write) until the zone returns",
                                             fix: "aws rds modify-db-instance --db-instance-identifier \(db.identifier) --multi-az --apply-immediately"))
        }
        // Port 3306 from the ODAS nodes.
        let odasGroups = p.securityGroups.compactMap { env.ec2.securityGroupID(named: $0) }
        guard !spec.securityGroups.isEmpty else {
            findings.append(PreflightFinding(.gap, resource: resource,
                                             problem: "the database has no security group of its own; the VPC's default group admits only its own members, not the ODAS nodes",
                                             fix: "create a group admitting tcp/3306 from sg:\(p.securityGroups.first ?? "odas") and attach it: aws rds modify-db-instance --db-instance-identifier \(db.identifier) --vpc-security-group-ids sg-…"))
            return (verified, findings)
        }
        let dbGroups = spec.securityGroups.compactMap { env.ec2.securityGroupID(named: $0) }
        for name in spec.securityGroups where env.ec2.securityGroupID(named: name) == nil {
            findings.append(PreflightFinding(.gap, resource: "security group \(name)", problem: "the database's security group does not exist",
                                             fix: "aws ec2 create-security-group --group-name \(name) --description \"\(name)\" --vpc-id \(p.vpcId ?? "vpc-…")"))
        }
        let admitted = env.ec2.rules(of: dbGroups, outbound: false, allowing: ODASPortMap.databasePort).first { _, rule in
            switch rule.peer {
            case .group(let id): return odasGroups.contains(id)
            case .cidr(let block): return p.subnets.allSatisfy { block.covers($0.cidr) }
            }
        }
        if let admitted {
            verified.append("\(admitted.group) admits the ODAS nodes on tcp/3306 (\(env.ec2.describe(admitted.rule)))")
        } else {
            findings.append(PreflightFinding(.gap, resource: "security groups \(spec.securityGroups.joined(separator: ", "))",
                                             problem: "no ingress rule admits the ODAS nodes (sg:\(p.securityGroups.joined(separator: ", sg:")) or all of the ODAS subnets) on tcp/3306: the catalog is unreachable",
                                             fix: "aws ec2 authorize-security-group-ingress --group-id \(dbGroups.first ?? "sg-…") --protocol tcp --port 3306 --source-group \(odasGroups.first ?? "sg-…")"))
        }
        let egress = env.ec2.rules(of: odasGroups, outbound: true, allowing: ODASPortMap.databasePort).contains { _, rule in
            switch rule.peer {
            case .group(let id): return dbGroups.contains(id)
            case .cidr(let block): return block.prefixLength == 0 || p.subnets.allSatisfy { block.covers($0.cidr) }
            }
        }
        if !egress {
            findings.append(PreflightFinding(.gap, resource: "security groups \(p.securityGroups.joined(separator: ", "))",
                                             problem: "no egress rule lets the ODAS nodes open tcp/3306 to the database",
                                             fix: "aws ec2 authorize-security-group-egress --group-id \(odasGroups.first ?? "sg-…") --protocol tcp --port 3306 --source-group \(dbGroups.first ?? "sg-…")"))
        }
        return (verified, findings)
    }
}
