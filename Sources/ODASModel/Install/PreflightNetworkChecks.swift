import AWSSim

extension IPv4Block {
    /// True when every address of `other` is inside this block.
    func covers(_ other: IPv4Block) -> Bool { prefixLength <= other.prefixLength && contains(other.address) }
}

/// ODAS subnets in at least two AZs, in the installation's region: one AZ
/// lost must leave nodes to reschedule onto (Okera's AWS deployment page).
struct SubnetsCheck: PreflightCheck {
    static let id = "network/subnets"
    static let title = "ODAS subnets span at least two availability zones"

    static func run(_ p: ODASPrerequisites, _ environment: PreflightEnvironment) -> (verified: [String], findings: [PreflightFinding]) {
        let zones = Array(Set(p.subnets.map(\.availabilityZone))).sorted()
        let list = p.subnets.map { "\($0.id) (\($0.availabilityZone), \($0.cidr))" }.joined(separator: ", ")
        guard zones.count >= 2 else {
            return ([], [PreflightFinding(.gap, resource: "subnets \(p.subnets.map(\.id).joined(separator: ", "))",
                                          problem: "ODAS subnets are all in \(zones.first ?? "no availability zone"); losing that zone loses every ODAS node",
                                          fix: "add a subnet in another availability zone of \(p.region) to installer.subnets")])
        }
        return (["\(p.subnets.count) subnets in \(zones.count) availability zones: \(list)"], [])
    }
}

/// The ODAS port map (``ODASPortMap``) on the nodes' security groups:
/// service ports open to the service sources, admin ports open to the admin
/// sources and to nothing else, every node port between the nodes, and
/// outbound HTTPS to the AWS endpoints.
struct SecurityGroupsCheck: PreflightCheck {
    static let id = "network/security-groups"
    static let title = "Security groups follow the ODAS port map (service ports from the service CIDR, admin ports only from the admin CIDR)"

    static func run(_ p: ODASPrerequisites, _ env: PreflightEnvironment) -> (verified: [String], findings: [PreflightFinding]) {
        var verified: [String] = []
        var findings: [PreflightFinding] = []
        let ec2 = env.ec2
        let groupIDs = p.securityGroups.compactMap { ec2.securityGroupID(named: $0) }
        let groupsText = p.securityGroups.joined(separator: ", ")
        let firstGroup = groupIDs.first ?? "sg-…"
        let sourceGroups = (p.serviceAccess + p.adminAccess).compactMap { source -> String? in
            if case .group(let name) = source { return name }
            return nil
        }
        for name in Array(Set(p.securityGroups + sourceGroups)).sorted() where ec2.securityGroupID(named: name) == nil {
            findings.append(PreflightFinding(.gap, resource: "security group \(name)", problem: "the security group does not exist in \(p.region)",
                                             fix: "aws ec2 create-security-group --group-name \(name) --description \"\(name)\" --vpc-id \(p.vpcId ?? "vpc-…")"))
        }
        guard !groupIDs.isEmpty else { return (verified, findings) }

        // Service ports from every service source.
        for source in p.serviceAccess {
            let missing = ODASPortMap.servicePorts.filter { !admits(ec2, groupIDs, source, $0, p) }
            if missing.isEmpty {
                verified.append("service ports \(portsText(ODASPortMap.servicePorts)) open from \(source)")
            } else {
                findings.append(PreflightFinding(.gap, resource: "security groups \(groupsText)",
                                                 problem: "\(source) cannot reach \(missing.map(portLabel).joined(separator: ", "))",
                                                 fix: missing.map { authorize(firstGroup, $0, source, ec2) }.joined(separator: "; ")))
            }
        }
        // Admin ports from every admin source…
        for source in p.adminAccess {
            let missing = ODASPortMap.adminPorts.filter { !admits(ec2, groupIDs, source, $0, p) }
            if missing.isEmpty {
                verified.append("admin ports \(portsText(ODASPortMap.adminPorts)) open from \(source)")
            } else {
                findings.append(PreflightFinding(.gap, resource: "security groups \(groupsText)",
                                                 problem: "the admin source \(source) cannot reach \(missing.map(portLabel).joined(separator: ", "))",
                                                 fix: missing.map { authorize(firstGroup, $0, source, ec2) }.joined(separator: "; ")))
            }
        }
        // …and from nothing else.
        var exposed = 0
        for port in ODASPortMap.adminPorts {
            for (group, rule) in ec2.rules(of: groupIDs, outbound: false, allowing: port) where !isAdminPeer(rule.peer, p, ec2) {
                exposed += 1
                findings.append(PreflightFinding(.gap, resource: "security group \(group)",
                                                 problem: "\(portLabel(port)) is open to \(peerText(rule, ec2)); admin ports must be open only to the admin sources \(p.adminAccess.map(\.description).joined(separator: ", "))",
                                                 fix: "aws ec2 revoke-security-group-ingress --group-id \(ec2.securityGroupID(named: group) ?? group) \(ruleArguments(rule, port: port, ec2)), and open the port to the admin CIDR only"))
            }
        }
        if exposed == 0 { verified.append("admin ports open to no source outside \(p.adminAccess.map(\.description).joined(separator: ", "))") }
        // Service ports open to the whole internet: legal, but not the service CIDR Okera asks for.
        for port in ODASPortMap.servicePorts {
            for (group, rule) in ec2.rules(of: groupIDs, outbound: false, allowing: port) {
                if case .cidr(let block) = rule.peer, block.prefixLength == 0 {
                    findings.append(PreflightFinding(.warning, resource: "security group \(group)",
                                                     problem: "\(portLabel(port)) is open to the whole internet (0.0.0.0/0), not to the service CIDR",
                                                     fix: "replace the 0.0.0.0/0 rule with rules for the service sources \(p.serviceAccess.map(\.description).joined(separator: ", "))"))
                }
            }
        }
        // Node to node.
        let notBetweenNodes = ODASPortMap.nodeToNodePorts.filter { port in
            !ec2.rules(of: groupIDs, outbound: false, allowing: port).contains { betweenNodes($0.rule.peer, groupIDs, p) }
        }
        if notBetweenNodes.isEmpty {
            verified.append("ODAS nodes reach each other on \(portsText(ODASPortMap.nodeToNodePorts))")
        } else {
            findings.append(PreflightFinding(.gap, resource: "security groups \(groupsText)",
                                             problem: "ODAS nodes cannot reach each other on \(notBetweenNodes.map(portLabel).joined(separator: ", ")) (Okera nodes talk to each other on all ports)",
                                             fix: "aws ec2 authorize-security-group-ingress --group-id \(firstGroup) --protocol -1 --source-group \(firstGroup)"))
        }
        // Outbound HTTPS: S3, STS and KMS are reached on 443.
        let https = ec2.rules(of: groupIDs, outbound: true, allowing: 443).contains {
            if case .cidr(let block) = $0.rule.peer { return block.prefixLength == 0 }
            return false
        }
        if https { verified.append("outbound HTTPS to the AWS endpoints (S3, STS, KMS) allowed") } else {
            findings.append(PreflightFinding(.gap, resource: "security groups \(groupsText)",
                                             problem: "no egress rule allows tcp/443 to 0.0.0.0/0: nodes cannot reach S3, STS or KMS (Okera: outbound unrestricted)",
                                             fix: "aws ec2 authorize-security-group-egress --group-id \(firstGroup) --protocol -1 --cidr 0.0.0.0/0"))
        }
        return (verified, findings)
    }

    /// Does some rule of `groups` admit every member of `source` on `port`?
    /// A group source is admitted by a rule naming that group, or by a rule
    /// open to every address; a block by a rule whose block covers it.
    static func admits(_ ec2: EC2Service, _ groups: [String], _ source: ODASPrerequisites.Source, _ port: Int,
                       _ p: ODASPrerequisites) -> Bool {
        ec2.rules(of: groups, outbound: false, allowing: port).contains { _, rule in
            switch (source, rule.peer) {
            case (.cidr(let wanted), .cidr(let allowed)): return allowed.covers(wanted)
            case (.group(let name), .group(let id)): return ec2.securityGroupID(named: name) == id
            case (.group, .cidr(let allowed)): return allowed.prefixLength == 0
            case (.cidr, .group): return false
            }
        }
    }

    /// May this peer hold an admin port? Admin sources, and the ODAS nodes themselves.
    static func isAdminPeer(_ peer: SecurityGroupPeer, _ p: ODASPrerequisites, _ ec2: EC2Service) -> Bool {
        switch peer {
        case .group(let id):
            let odas = p.securityGroups.compactMap { ec2.securityGroupID(named: $0) }
            let admin = p.adminAccess.compactMap { source -> String? in
                if case .group(let name) = source { return ec2.securityGroupID(named: name) }
                return nil
            }
            return odas.contains(id) || admin.contains(id)
        case .cidr(let block):
            return p.adminAccess.contains { source in
                if case .cidr(let admin) = source { return admin.covers(block) }
                return false
            }
        }
    }

    static func betweenNodes(_ peer: SecurityGroupPeer, _ groupIDs: [String], _ p: ODASPrerequisites) -> Bool {
        switch peer {
        case .group(let id): return groupIDs.contains(id)
        case .cidr(let block): return p.subnets.allSatisfy { block.covers($0.cidr) }
        }
    }

    static func portLabel(_ port: Int) -> String { "tcp/\(port) (\(ODASPortMap.purpose(port)))" }
    static func portsText(_ ports: [Int]) -> String { ports.map(String.init).joined(separator: ", ") }

    /// Who a rule opens a port to, and why that is too wide for an admin port.
    static func peerText(_ rule: SecurityGroupRule, _ ec2: EC2Service) -> String {
        let ports = rule.ipProtocol == "-1" ? " (a rule for all traffic)" : ""
        switch rule.peer {
        case .cidr(let block) where block.prefixLength == 0: return "the whole internet (0.0.0.0/0)\(ports)"
        case .cidr(let block): return "\(block), wider than the admin sources\(ports)"
        case .group(let id):
            return "members of \(ec2.securityGroups[id]?.name ?? id), neither an admin source nor an ODAS group\(ports)"
        }
    }

    static func authorize(_ group: String, _ port: Int, _ source: ODASPrerequisites.Source, _ ec2: EC2Service) -> String {
        switch source {
        case .cidr(let block): return "aws ec2 authorize-security-group-ingress --group-id \(group) --protocol tcp --port \(port) --cidr \(block)"
        case .group(let name):
            return "aws ec2 authorize-security-group-ingress --group-id \(group) --protocol tcp --port \(port) --source-group \(ec2.securityGroupID(named: name) ?? name)"
        }
    }

    static func ruleArguments(_ rule: SecurityGroupRule, port: Int, _ ec2: EC2Service) -> String {
        let ports = rule.ipProtocol == "-1" ? "--protocol -1" : "--protocol \(rule.ipProtocol) --port \(rule.fromPort == rule.toPort ? "\(rule.fromPort)" : "\(rule.fromPort)-\(rule.toPort)")"
        switch rule.peer {
        case .cidr(let block): return "\(ports) --cidr \(block)"
        case .group(let id): return "\(ports) --source-group \(id)"
        }
    }
}
