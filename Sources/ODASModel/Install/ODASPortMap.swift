/// The ports an ODAS deployment's security groups must open, per Okera's
/// prerequisites page (docs.okera.com/odas/latest/deploy/baremetal/prerequisites/,
/// "Firewall/SG rules"; docs/fidelity.md): service ports from the service
/// CIDR, admin ports from the admin CIDR only, and every port between the
/// ODAS nodes themselves.
public enum ODASPortMap {
    /// Inbound from the service CIDR: web UI/REST 8083, the S3 proxy 5010,
    /// planner 12050 (and 12052, 12053), worker 13050, Presto/JDBC 14050.
    public static let servicePorts = [5010, 8083, 12050, 12052, 12053, 13050, 14050]
    /// Inbound from the admin CIDR only: SSH 22, planner and worker admin
    /// 12051 and 13051, diagnostics 32009.
    public static let adminPorts = [22, 12051, 13051, 32009]
    /// What one ODAS node must reach on another: every service's own port
    /// (planner, worker, catalog, REST, canary, ZooKeeper) — Okera's rule is
    /// "all ports between nodes"; these are the ones the model uses.
    public static var nodeToNodePorts: [Int] {
        Array(Set(ODASComponent.allCases.map(\.port) + servicePorts)).sorted()
    }
    /// MySQL's port, which the catalog database must admit from the ODAS nodes.
    public static let databasePort = 3306

    /// What a port is for, as reports name it.
    public static func purpose(_ port: Int) -> String {
        switch port {
        case 22: return "SSH"
        case 3306: return "MySQL"
        case 5010: return "S3 proxy"
        case 8083: return "web UI/REST"
        case 12050, 12052, 12053: return "planner"
        case 12051: return "planner admin"
        case 13050: return "worker"
        case 13051: return "worker admin"
        case 14050: return "Presto/JDBC"
        case 32009: return "diagnostics"
        default:
            return ODASComponent.allCases.first { $0.port == port }.map { $0.objectName } ?? "port \(port)"
        }
    }
}
