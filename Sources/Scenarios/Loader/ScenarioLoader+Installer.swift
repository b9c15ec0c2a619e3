import AWSSim
import ODASModel
import SimCore

/// `installer:` — the installer kind and the prerequisites its preflight
/// checks. Resources named here that do not exist (a bucket, a security
/// group) are not load errors: finding them missing is the preflight's job,
/// and it reports them with how to create them.
extension ScenarioLoader {
    static let installerKeys = ["kind", "subnets", "securityGroups", "serviceAccess", "adminAccess", "logBucket", "logPrefix",
                                "kmsKeys", "configuration"] + installPlanKeys

    static func readInstaller(_ node: SourceNode, _ context: Context, odas: ODASSpec?, scenarioFile: String,
                              _ d: inout Diagnostics) -> InstallerSpec? {
        guard var r = MappingReader(node, allowedKeys: installerKeys, what: "an installer section", diagnostics: &d) else { return nil }
        defer { r.reportUnknownKeys(&d) }
        if odas == nil { d.error(node, "installer needs an odas: section (what it installs)") }
        var kind: InstallerKind?
        if let kindNode = r.required("kind", &d, hint: "cloudformation, ec2 or eks"), let text = Read.string(kindNode, &d) {
            kind = InstallerKind(rawValue: text)
            if kind == nil { d.error(kindNode, unknownMessage("installer kind", text, InstallerKind.allCases.map(\.rawValue))) }
        }
        let region = odas?.region ?? context.topology.regions.first?.name ?? ""
        let regionSubnets = context.topology.regions.first { $0.name == region }?.vpc?.subnets ?? []
        var subnets: [String] = []
        if let list = r.required("subnets", &d, hint: "the subnets of the ODAS nodes, e.g. [subnet-us-west-2a, subnet-us-west-2b]")
            .flatMap({ Read.list($0, &d, what: "subnets") }) {
            for item in list {
                guard let name = Read.string(item, &d, what: "a subnet") else { continue }
                if !regionSubnets.contains(where: { $0.id == name }) {
                    d.error(item, unknownMessage("subnet of \(region)'s VPC", name, regionSubnets.map(\.id)))
                } else if subnets.contains(name) {
                    d.error(item, "subnet \(name) is listed twice")
                } else { subnets.append(name) }
            }
            if list.isEmpty, let listNode = r.child("subnets") { d.error(listNode, "list at least one subnet (two AZs for ODAS to survive one)") }
        }
        let groups = r.required("securityGroups", &d, hint: "the ODAS nodes' security groups").flatMap { Read.list($0, &d, what: "security groups") }?
            .compactMap { Read.name($0, &d, what: "a security group name") } ?? []
        let service = r.child("serviceAccess").map { readSources($0, &d) } ?? []
        let admin = r.child("adminAccess").map { readSources($0, &d) } ?? []
        var logBucket: String?
        if let bucketNode = r.required("logBucket", &d, hint: "the S3 bucket for ODAS's audit and server logs"),
           let text = Read.string(bucketNode, &d, what: "a bucket name") {
            if S3Bucket.isValidName(text) { logBucket = text } else { d.error(bucketNode, "\"\(text.prefix(70))\" is not a valid S3 bucket name") }
        }
        var logPrefix = r.child("logPrefix").flatMap { Read.string($0, &d) } ?? ""
        if !logPrefix.isEmpty, !logPrefix.hasSuffix("/") { logPrefix += "/" }
        let kmsKeys = r.child("kmsKeys").flatMap { Read.list($0, &d, what: "KMS keys") }?.compactMap { Read.string($0, &d, what: "a KMS key alias or ARN") } ?? []
        var configuration: [ODASPrerequisites.Setting] = []
        if let configNode = r.child("configuration") {
            if case .mapping(let pairs) = configNode.value {
                for pair in pairs {
                    guard let key = Read.string(pair.key, &d, what: "a setting name") else { continue }
                    let value: String
                    switch pair.value.value {
                    case .scalar(let text, _, _): value = text
                    case .null: value = ""
                    default:
                        d.error(pair.value, "a setting's value is one string (env.sh: KEY=value)")
                        continue
                    }
                    configuration.append(.init(key: key, value: value, location: "\(d.file):\(pair.key.location.line)"))
                }
            } else {
                d.error(configNode, "expected a mapping of setting names to values, e.g. {OKERA_DB_URL: \"jdbc:mysql://…:3306/okera\"}")
            }
        }
        guard let kind, let logBucket else { return nil }
        var spec = InstallerSpec(kind: kind, subnets: subnets, securityGroups: groups, serviceAccess: service, adminAccess: admin,
                                 logBucket: logBucket, logPrefix: logPrefix, kmsKeys: kmsKeys, configuration: configuration)
        readInstallPlan(&r, kind: kind, subnets: subnets, scenarioFile: scenarioFile, into: &spec, &d)
        return spec
    }

    /// `[sg:NAME | CIDR]`.
    static func readSources(_ node: SourceNode, _ d: inout Diagnostics) -> [ODASPrerequisites.Source] {
        guard let list = Read.list(node, &d, what: "sources") else { return [] }
        return list.compactMap { item in
            guard let text = Read.string(item, &d) else { return nil }
            if text.hasPrefix("sg:"), text.count > 3 { return .group(String(text.dropFirst(3))) }
            if let block = IPv4Block(text) { return .cidr(block) }
            d.error(item, "\"\(text.prefix(40))\" is neither a CIDR block (10.20.128.0/24) nor sg:<group name>")
            return nil
        }
    }
}
