/// The limits the loader enforces, each with the name its error gives and
/// the flag that raises it (`odas-sim run|validate|preflight --limit NAME=VALUE`).
public struct LoadLimits: Sendable, Equatable {
    /// `scenario-file-size`: bytes of a scenario file, measured before it is read.
    public var scenarioFileBytes = 4 * 1024 * 1024
    /// `manifest-file-size`: bytes of a manifest file, measured before it is read.
    public var manifestFileBytes = 1 << 20
    /// `yaml-nodes`: nodes a YAML document expands to, each alias counted every time it is used.
    public var yamlNodes = 1_000_000
    /// `yaml-aliases`: uses of anchored values in one YAML document.
    public var yamlAliases = 10_000
    /// `run-operations`: the operations a run's workloads issue, estimated before it starts.
    public var runOperations = 500_000
    /// `data-rows`: rows of the ODAS datasets' generated files, all datasets together (files × rowsPerFile).
    public var dataRows = 1_000_000
    /// `preloaded-objects`: objects preloaded into the scenario's buckets, all buckets together.
    public var preloadedObjects = 1_000_000
    /// `scan-rows`: rows the scan workloads read in a run, estimated before it starts (each scan reads its dataset whole).
    public var scanRows = 100_000_000
    /// `kube-nodes`: Kubernetes nodes of the scenario's cluster, all pools together.
    public var kubeNodes = 50_000
    /// `kube-pods`: pods the manifests ask for (replicas, parallelism, a DaemonSet's pod per node).
    public var kubePods = 100_000

    public init() {}

    /// The names `--limit` accepts, in the order the docs list them.
    public static let names = ["scenario-file-size", "manifest-file-size", "yaml-nodes", "yaml-aliases", "run-operations", "data-rows",
                               "preloaded-objects", "scan-rows", "kube-nodes", "kube-pods"]

    /// Sets the limit called `name`; nil when the name is unknown.
    public mutating func set(_ name: String, to value: Int) -> Bool {
        switch name {
        case "scenario-file-size": scenarioFileBytes = value
        case "manifest-file-size": manifestFileBytes = value
        case "yaml-nodes": yamlNodes = value
        case "yaml-aliases": yamlAliases = value
        case "run-operations": runOperations = value
        case "data-rows": dataRows = value
        case "preloaded-objects": preloadedObjects = value
        case "scan-rows": scanRows = value
        case "kube-nodes": kubeNodes = value
        case "kube-pods": kubePods = value
        default: return false
        }
        return true
    }

    /// Limits from `NAME=VALUE` texts (`--limit run-operations=5000000`), or why one is not.
    public static func parse(_ items: [String]) -> Result<LoadLimits, LimitError> {
        var limits = LoadLimits()
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Int(parts[1].replacingOccurrences(of: "_", with: "")), value > 0 else {
                return .failure(LimitError(message: "--limit takes NAME=VALUE with a positive whole number, such as run-operations=5000000; not \(item)"))
            }
            guard limits.set(parts[0], to: value) else {
                return .failure(LimitError(message: "unknown limit \(parts[0]); the limits are \(names.joined(separator: ", "))"))
            }
        }
        return .success(limits)
    }

    public struct LimitError: Error, Sendable {
        public var message: String
    }
}
