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
    /// ec2: instances of the Kubernetes control plane (1: the single-instance
    /// design; 3: stacked etcd across AZs), one per subnet in order, and the
    /// worker instances joined one by one after them.
    public var controlPlaneInstances = 1
    public var workerInstances = 0
    public var instanceType = "m5.2xlarge"
    /// cloudformation: the template deployed, its stack and parameters.
    public var template: TemplateSource?

    /// A CloudFormation template the installer deploys (`installer.template`).
    public struct TemplateSource: Sendable {
        /// The path as written (relative to the scenario file) and the template's text.
        public var path: String
        public var body: String
        public var stackName: String
        /// Given parameters; the installer fills the template's well-known ones (``InstallerSpec/templateParameterNames``).
        public var parameters: [(key: String, value: String)]
        /// Tries of CreateStack: after a rollback the failed stack is deleted and created again.
        public var attempts: Int
        public var timeoutInMinutes: Int?
    }

    /// Template parameters the cloudformation installer fills from the
    /// scenario when the template declares them and the scenario does not set them.
    public static let templateParameterNames = ["VpcId", "Subnets", "NodeSecurityGroups", "NodeInstanceProfile", "LogBucket",
                                                "CatalogJdbcUrl", "InstanceType", "HostedZoneId"]

    /// Names in the scenario's hosted zone that the stack's parameters give
    /// (`PlannerDNSName: planner.odas.example.com`): records the stack is to
    /// create, which clients may resolve though the dns section does not list them.
    public func stackRecordNames(zone: String) -> [String] {
        let suffix = "." + zone.lowercased()
        return (template?.parameters ?? []).map { $0.value.lowercased() }.filter { $0.hasSuffix(suffix) }
    }

    /// The ec2 installer's instances, in launch order: the control plane, then
    /// the workers, each in the next of ``subnets`` (round robin).
    public var plannedInstances: [(name: String, subnet: String, controlPlane: Bool)] {
        guard kind == .ec2, !subnets.isEmpty else { return [] }
        let control = (0..<controlPlaneInstances).map { ("odas-cp-\($0 + 1)", subnets[$0 % subnets.count], true) }
        let workers = (0..<workerInstances).map { ("odas-node-\($0 + 1)", subnets[($0 + controlPlaneInstances) % subnets.count], false) }
        return control + workers
    }

    /// Whether the installer builds the Kubernetes cluster itself (ec2 and
    /// cloudformation: kubeadm on the instances), rather than finding one (eks).
    public var createsCluster: Bool { kind != .eks }
}
