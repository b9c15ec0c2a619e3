import AWSSim

/// How ODAS is installed (`installer.kind`): a CloudFormation stack, one EC2
/// instance and then added nodes, or onto an existing EKS cluster.
public enum InstallerKind: String, CaseIterable, Codable, Sendable {
    case cloudFormation = "cloudformation"
    case ec2
    case eks
}

/// What an ODAS installation needs to exist before it starts, as the
/// scenario's `installer:` section declares it (Okera's AWS prerequisites,
/// docs.okera.com/odas/latest/deploy/aws/prerequisites/): where the nodes
/// go, who may reach them, where logs go, which role they carry, the
/// catalog database and the installer's configuration.
public struct ODASPrerequisites: Sendable {
    /// A subnet ODAS nodes are placed in.
    public struct Subnet: Sendable, Equatable {
        public var id: String
        public var availabilityZone: String
        public var cidr: IPv4Block
        public init(id: String, availabilityZone: String, cidr: IPv4Block) {
            self.id = id
            self.availabilityZone = availabilityZone
            self.cidr = cidr
        }
    }

    /// Who uses a class of ports: an address block or the members of a group (by name).
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        case cidr(IPv4Block)
        case group(String)
        public var description: String {
            switch self {
            case .cidr(let block): return block.description
            case .group(let name): return "sg:\(name)"
            }
        }
    }

    /// An S3 location ODAS reads datasets from.
    public struct DataPath: Sendable, Equatable {
        public var bucket: String
        public var prefix: String
        /// The dataset (or "standby replica of …") it serves, for reports.
        public var purpose: String
        public init(bucket: String, prefix: String, purpose: String) {
            self.bucket = bucket
            self.prefix = prefix
            self.purpose = purpose
        }
    }

    /// The catalog database as the preflight checks it.
    public struct Database: Sendable, Equatable {
        public var identifier: String
        /// Security groups (by name); empty: the VPC's default group.
        public var securityGroups: [String]
        public init(identifier: String, securityGroups: [String]) {
            self.identifier = identifier
            self.securityGroups = securityGroups
        }
    }

    /// One configuration entry (`env.sh`), with where it was written.
    public struct Setting: Sendable, Equatable {
        public var key: String
        public var value: String
        public var location: String
        public init(key: String, value: String, location: String) {
            self.key = key
            self.value = value
            self.location = location
        }
    }

    public var kind: InstallerKind
    /// The account everything lives in.
    public var account: String
    /// The region ODAS is installed in.
    public var region: String
    /// The VPC the nodes are in (`aws:SourceVpc` of their S3 requests).
    public var vpcId: String?
    public var subnets: [Subnet]
    /// The ODAS nodes' security groups (by name).
    public var securityGroups: [String]
    public var serviceAccess: [Source]
    public var adminAccess: [Source]
    /// The log and staging bucket (audit and server logs; `OKERA_S3_STAGING_DIR`).
    public var logBucket: String
    public var logPrefix: String
    /// The data lake: every dataset's location.
    public var dataPaths: [DataPath]
    /// KMS keys (aliases or ARNs) ODAS must use besides the buckets' defaults.
    public var kmsKeys: [String]
    /// The role of the nodes' instance profile; nil: none.
    public var nodeRole: String?
    public var database: Database?
    public var configuration: [Setting]
    /// eks: the EKS cluster ODAS is installed onto, and its node groups' AZs and instance profiles.
    public var eksCluster: String?
    public var eksNodeGroups: [(name: String, availabilityZones: [String], instanceProfile: String?)] = []

    public init(kind: InstallerKind, account: String, region: String, vpcId: String?, subnets: [Subnet], securityGroups: [String],
                serviceAccess: [Source], adminAccess: [Source], logBucket: String, logPrefix: String, dataPaths: [DataPath],
                kmsKeys: [String], nodeRole: String?, database: Database?, configuration: [Setting]) {
        self.kind = kind
        self.account = account
        self.region = region
        self.vpcId = vpcId
        self.subnets = subnets
        self.securityGroups = securityGroups
        self.serviceAccess = serviceAccess
        self.adminAccess = adminAccess
        self.logBucket = logBucket
        self.logPrefix = logPrefix
        self.dataPaths = dataPaths
        self.kmsKeys = kmsKeys
        self.nodeRole = nodeRole
        self.database = database
        self.configuration = configuration
    }
}
