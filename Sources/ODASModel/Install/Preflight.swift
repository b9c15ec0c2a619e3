import AWSSim

/// One gap (or warning) a preflight check found: the resource, what is
/// missing and how to fix it.
public struct PreflightFinding: Codable, Sendable, Equatable {
    public enum Severity: String, Codable, Sendable {
        /// The installation must not start.
        case gap
        /// Works, but not as Okera recommends for production.
        case warning
    }

    public var severity: Severity
    /// The resource the finding is about (`bucket okera-logs`, `security group odas-admin`).
    public var resource: String
    /// What is missing or wrong.
    public var problem: String
    /// How to fix it (a console setting or an aws CLI command).
    public var fix: String

    public init(_ severity: Severity, resource: String, problem: String, fix: String) {
        self.severity = severity
        self.resource = resource
        self.problem = problem
        self.fix = fix
    }
}

/// What one check verified and found.
public struct PreflightCheckResult: Codable, Sendable, Equatable {
    /// A stable id (`network/subnets`), for JSON and tests.
    public var id: String
    public var title: String
    /// What was looked at and held, one line each.
    public var verified: [String]
    public var findings: [PreflightFinding]

    public var gaps: [PreflightFinding] { findings.filter { $0.severity == .gap } }
    public var warnings: [PreflightFinding] { findings.filter { $0.severity == .warning } }
}

/// Every check's result: the installation may start only when no check has a gap.
public struct PreflightReport: Codable, Sendable, Equatable {
    public var installer: InstallerKind
    public var checks: [PreflightCheckResult]

    public var gaps: [PreflightFinding] { checks.flatMap(\.gaps) }
    public var warnings: [PreflightFinding] { checks.flatMap(\.warnings) }
    public var passed: Bool { gaps.isEmpty }

    public init(installer: InstallerKind, checks: [PreflightCheckResult]) {
        self.installer = installer
        self.checks = checks
    }

    enum CodingKeys: String, CodingKey { case installer, checks, passed, gapCount, warningCount, summary }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        installer = try container.decode(InstallerKind.self, forKey: .installer)
        checks = try container.decode([PreflightCheckResult].self, forKey: .checks)
    }

    /// The checks, with the verdict and counts a reader of report.json wants first.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(installer, forKey: .installer)
        try container.encode(checks, forKey: .checks)
        try container.encode(passed, forKey: .passed)
        try container.encode(gaps.count, forKey: .gapCount)
        try container.encode(warnings.count, forKey: .warningCount)
        try container.encode(summary, forKey: .summary)
    }

    /// One line: "7 checks: 3 gaps, 1 warning".
    public var summary: String {
        let g = gaps.count, w = warnings.count
        return "\(checks.count) checks: \(g) gap\(g == 1 ? "" : "s"), \(w) warning\(w == 1 ? "" : "s")"
    }
}

/// The AWS fakes a preflight reads, as they are before installation.
public struct PreflightEnvironment: Sendable {
    public var s3: S3Service
    public var iam: IAMService
    public var kms: KMSService
    public var ec2: EC2Service
    public var rds: RDSService

    public init(s3: S3Service, iam: IAMService, kms: KMSService, ec2: EC2Service, rds: RDSService) {
        self.s3 = s3
        self.iam = iam
        self.kms = kms
        self.ec2 = ec2
        self.rds = rds
    }
}

/// A preflight check: reads the prerequisites and the fakes, never changes them.
protocol PreflightCheck: Sendable {
    static var id: String { get }
    static var title: String { get }
    static func run(_ prerequisites: ODASPrerequisites, _ environment: PreflightEnvironment) -> (verified: [String], findings: [PreflightFinding])
}

/// Runs every check against the fakes and reports every gap at once, not the
/// first (Okera's installers validate their prerequisites before they start;
/// domain-notes §2.1, property 15).
public enum Preflight {
    static let checks: [any PreflightCheck.Type] = [
        SubnetsCheck.self, SecurityGroupsCheck.self, LogBucketCheck.self, InstanceRoleCheck.self,
        KMSKeysCheck.self, DatabaseCheck.self, ConfigurationCheck.self, InstallTargetCheck.self,
    ]

    public static func run(_ prerequisites: ODASPrerequisites, _ environment: PreflightEnvironment) -> PreflightReport {
        let results = checks.map { check in
            let (verified, findings) = check.run(prerequisites, environment)
            return PreflightCheckResult(id: check.id, title: check.title, verified: verified, findings: findings)
        }
        return PreflightReport(installer: prerequisites.kind, checks: results)
    }
}
