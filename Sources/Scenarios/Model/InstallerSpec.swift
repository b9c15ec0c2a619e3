import ODASModel

/// `installer:` — how ODAS is installed and the prerequisites its preflight
/// checks before anything is installed (docs/scenario-format.md, "installer").
public struct InstallerSpec: Sendable {
    public var kind: InstallerKind
    /// The subnets the ODAS nodes go into (ids of the topology's subnets).
    public var subnets: [String]
    /// The ODAS nodes' security groups (names of `network.securityGroups`).
    public var securityGroups: [String]
    /// Who uses the service ports, and who the admin ports.
    public var serviceAccess: [ODASPrerequisites.Source]
    public var adminAccess: [ODASPrerequisites.Source]
    /// The log and staging bucket, and the prefix ODAS writes under.
    public var logBucket: String
    public var logPrefix: String
    /// KMS keys (alias or ARN) ODAS needs besides the buckets' default keys.
    public var kmsKeys: [String]
    /// The installer's configuration (`env.sh`), in file order.
    public var configuration: [ODASPrerequisites.Setting]
}
