import AWSSim

/// The installer's configuration (`env.sh`: `OKERA_*`, `CEREBRO_*`): no
/// static AWS keys anywhere — the nodes use their instance role — and the
/// database URL and staging directory name the resources checked above.
struct ConfigurationCheck: PreflightCheck {
    static let id = "configuration"
    static let title = "The configuration holds no static AWS keys and names the database and log bucket"

    /// Setting names that carry AWS credentials (the SDKs' environment variables).
    static let credentialNames = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"]

    static func run(_ p: ODASPrerequisites, _ env: PreflightEnvironment) -> (verified: [String], findings: [PreflightFinding]) {
        var verified: [String] = []
        var findings: [PreflightFinding] = []
        var keysFound = 0
        for setting in p.configuration {
            let upper = setting.key.uppercased()
            let namedAsKey = credentialNames.contains(upper) || upper.hasSuffix("SECRET_ACCESS_KEY") || upper.hasSuffix("ACCESS_KEY_ID")
            if namedAsKey || containsAccessKeyID(setting.value) || setting.value.lowercased().contains("aws_secret_access_key") {
                keysFound += 1
                findings.append(PreflightFinding(.gap, resource: "\(setting.key) (\(setting.location))",
                                                 problem: "a static AWS credential in the configuration (\(masked(setting.value))); ODAS nodes must use their instance role",
                                                 fix: "remove \(setting.key) and grant the access to the node role instead"))
            }
        }
        if keysFound == 0 { verified.append("\(p.configuration.count) setting\(p.configuration.count == 1 ? "" : "s"), no static AWS keys") }
        if let url = p.configuration.first(where: { ["OKERA_DB_URL", "CEREBRO_DB_URL"].contains($0.key.uppercased()) }) {
            findings += databaseURL(url, p, env, &verified)
        }
        if let staging = p.configuration.first(where: { ["OKERA_S3_STAGING_DIR", "CEREBRO_S3_STAGING_DIR"].contains($0.key.uppercased()) }) {
            let expected = "s3://\(p.logBucket)/"
            if staging.value.hasPrefix(expected) || staging.value == "s3://\(p.logBucket)" {
                verified.append("\(staging.key) is in the log bucket (\(staging.value))")
            } else {
                findings.append(PreflightFinding(.gap, resource: "\(staging.key) (\(staging.location))",
                                                 problem: "the staging directory \(staging.value) is not in the log bucket \(p.logBucket) checked above",
                                                 fix: "set \(staging.key)=s3://\(p.logBucket)/\(p.logPrefix)"))
            }
        }
        return (verified, findings)
    }

    /// `jdbc:mysql://HOST:PORT/DB` or `HOST:PORT`: the host must be the catalog database's endpoint, on 3306.
    static func databaseURL(_ setting: ODASPrerequisites.Setting, _ p: ODASPrerequisites, _ env: PreflightEnvironment,
                            _ verified: inout [String]) -> [PreflightFinding] {
        var rest = Substring(setting.value)
        if rest.hasPrefix("jdbc:mysql://") { rest = rest.dropFirst("jdbc:mysql://".count) }
        else if rest.contains("://") {
            return [PreflightFinding(.gap, resource: "\(setting.key) (\(setting.location))", problem: "\(setting.value) is not a MySQL URL (jdbc:mysql://HOST:3306/DB or HOST:3306)",
                                     fix: "set \(setting.key)=jdbc:mysql://<endpoint>:3306/okera")]
        }
        let hostPort = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let parts = hostPort.split(separator: ":", omittingEmptySubsequences: false)
        let host = parts.first.map(String.init) ?? ""
        let port = parts.count > 1 ? Int(parts[1]) : 3306
        let database = p.database.flatMap { env.rds.instances[$0.identifier] }
        var problems: [String] = []
        if parts.count > 2 || port == nil { problems.append("\(hostPort) is not HOST:PORT") }
        if let port, port != ODASPortMap.databasePort { problems.append("port \(port), but the database listens on 3306") }
        // The endpoint, or the instance's name (its endpoint's random middle label is not known before it exists).
        let lowered = host.lowercased()
        let namesInstance = { (db: DBInstance) in
            lowered == db.endpoint || lowered == db.identifier
                || (lowered.hasPrefix(db.identifier + ".") && lowered.hasSuffix(".\(db.region).rds.amazonaws.com"))
        }
        if let database, !namesInstance(database) {
            problems.append("host \(host) is not the endpoint of \(database.identifier) (\(database.endpoint))")
        }
        guard problems.isEmpty else {
            return [PreflightFinding(.gap, resource: "\(setting.key) (\(setting.location))", problem: problems.joined(separator: "; "),
                                     fix: "set \(setting.key)=jdbc:mysql://\(database?.endpoint ?? "<endpoint>"):3306/okera")]
        }
        verified.append("\(setting.key) names \(database?.endpoint ?? host):\(port ?? 3306)")
        return []
    }

    /// An access key id: AKIA/ASIA (and the other documented prefixes) then 16 upper-case letters or digits.
    static func containsAccessKeyID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return false }
        let prefixes: [[UInt8]] = ["AKIA", "ASIA", "ABIA", "ACCA"].map { Array($0.utf8) }
        for start in 0...(bytes.count - 20) where prefixes.contains(Array(bytes[start..<start + 4])) {
            if bytes[start + 4..<start + 20].allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) }) { return true }
        }
        return false
    }

    /// The first four characters, the rest as asterisks.
    static func masked(_ value: String) -> String { String(value.prefix(4)) + String(repeating: "*", count: min(16, max(0, value.count - 4))) }
}

/// What the chosen installer installs onto: for EKS, an existing cluster
/// whose node groups span the ODAS subnets' zones and carry the node role.
struct InstallTargetCheck: PreflightCheck {
    static let id = "installer/target"
    static let title = "The installer's target exists"

    static func run(_ p: ODASPrerequisites, _ env: PreflightEnvironment) -> (verified: [String], findings: [PreflightFinding]) {
        switch p.kind {
        case .eks:
            guard let cluster = p.eksCluster else {
                return ([], [PreflightFinding(.gap, resource: "compute.eks", problem: "installer eks installs onto an existing EKS cluster, and the scenario has none",
                                              fix: "add compute.eks with a managed node group, or choose installer kind ec2 or cloudformation")])
            }
            var verified = ["EKS cluster \(cluster)"]
            var findings: [PreflightFinding] = []
            let zones = Set(p.subnets.map(\.availabilityZone))
            let covered = Set(p.eksNodeGroups.flatMap(\.availabilityZones)).intersection(zones)
            if covered.count >= 2 {
                verified.append("node groups \(p.eksNodeGroups.map(\.name).joined(separator: ", ")) span \(covered.sorted().joined(separator: ", "))")
            } else {
                findings.append(PreflightFinding(.gap, resource: "EKS cluster \(cluster)", problem: "its node groups cover \(covered.isEmpty ? "none" : covered.sorted().joined(separator: ", ")) of the ODAS zones; one zone lost would leave no node to reschedule onto",
                                                 fix: "give the node group subnets in at least two of \(zones.sorted().joined(separator: ", "))"))
            }
            for group in p.eksNodeGroups where group.instanceProfile != p.nodeRole.map({ role in
                env.iam.instanceProfiles.values.first { $0.roles.contains(role) }?.name ?? role
            }) {
                findings.append(PreflightFinding(.gap, resource: "node group \(group.name)", problem: "its instances carry \(group.instanceProfile.map { "instance profile \($0)" } ?? "no instance profile"), not the ODAS node role \(p.nodeRole ?? "(none)")",
                                                 fix: "use the node role's instance profile for the node group"))
            }
            return (verified, findings)
        case .ec2, .cloudFormation:
            return (["installer \(p.kind.rawValue): instances are created by the installer in \(p.subnets.map(\.id).joined(separator: ", "))"], [])
        }
    }
}
