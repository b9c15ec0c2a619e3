import ODASModel

/// A client asks a planner to authorize and plan a scan (the planner API, port 12050).
struct PlanRequest: WorldMessage {
    var pod: String
    var user: String
    var dataset: String
}

/// One task of a plan: a file to read and the authorization the workers enforce.
struct ScanTask: Sendable {
    var bucket: String
    var key: String
    var scan: AuthorizedScan
}

/// A planner's answer: the tasks, one per file of the dataset.
struct PlanReply: WorldMessage {
    var tasks: [ScanTask]
    var catalogVersion: Int
}

/// A client sends a task to a worker (the worker API, port 13050).
struct TaskRequest: WorldMessage {
    var pod: String
    var task: ScanTask
    /// Return the rows themselves, not only their summary (the REST API's scans).
    var wantRows = false
}

/// What a worker returned for one task.
struct TaskReply: WorldMessage {
    var summary: ScanRowSummary
    /// The result's columns and rows, when the request wanted them.
    var result: ScanResult?
}

/// The REST server asks a planner which datasets a user may scan.
struct DatasetListRequest: WorldMessage {
    var pod: String
    var user: String
}

/// The datasets a user may scan, each with what the user sees of it.
struct DatasetListReply: WorldMessage {
    var datasets: [(name: String, columns: [ResultColumn])]
    var catalogVersion: Int
}

/// A catalog change sent to a planner, which authorizes it and has the catalog write it.
struct ChangeRequest: WorldMessage {
    var pod: String
    var user: String
    var change: CatalogChange
}

/// A planner asks a catalog pod for the current catalog (policy refresh).
struct SnapshotRequest: WorldMessage {
    var pod: String
}

/// The catalog as the database holds it.
struct SnapshotReply: WorldMessage {
    var snapshot: CatalogSnapshot
}

/// A planner has a catalog pod write an authorized change.
struct CatalogWriteRequest: WorldMessage {
    var pod: String
    var statements: [String]
}
