import AWSSim
import ODASModel
import SimCore

/// The oracle the ODAS checkers judge by: every catalog version committed
/// that can change a scan's authorization, read from the catalog database's
/// primary (no network) when a catalog write commits or the primary changes.
extension World {
    /// The rows of the tables that decide a scan (roles, groups, grants,
    /// masks, filters, and the scanned datasets' definitions), as one string.
    func accessFingerprint(_ database: String) -> String? {
        var text = ""
        for query in CatalogSnapshot.loadQueries[4...] {
            guard let rows = try? rds.inspect(database, query: query) else { return nil }
            for row in rows { text += row.map { $0 ?? "\u{0}" }.joined(separator: "\u{1}") + "\u{2}" }
            text += "\u{3}"
        }
        for dataset in scannedDatasets.sorted() {
            let name = CatalogNames.sqlLiteral(dataset)
            let query = "SELECT d.bucket, d.prefix, d.file_count, d.rows_per_file, c.position, c.name, c.type FROM odas_datasets d "
                + "JOIN odas_columns c ON c.dataset = d.name WHERE d.name = \(name) ORDER BY c.position"
            guard let rows = try? rds.inspect(database, query: query) else { return nil }
            for row in rows { text += row.map { $0 ?? "\u{0}" }.joined(separator: "\u{1}") + "\u{2}" }
        }
        return text
    }

    /// The datasets some scan reads.
    var scannedDatasets: Set<String> { Set(scenario.workloads.compactMap { $0.kind == .scan ? $0.odas?.dataset : nil }) }

    /// Whether two catalog versions may decide a scan differently: users,
    /// roles, grants, masks, filters, or the scanned datasets' definitions
    /// changed (new datasets nobody scans do not count).
    static func accessDiffers(_ a: CatalogSnapshot, _ b: CatalogSnapshot, scanned: Set<String>) -> Bool {
        if a.grants != b.grants || a.masks != b.masks || a.roleGroups != b.roleGroups || a.userGroups != b.userGroups
            || a.roles != b.roles || a.rowFilters.map(\.predicate) != b.rowFilters.map(\.predicate)
            || a.rowFilters.map(\.role) != b.rowFilters.map(\.role) { return true }
        return scanned.sorted().contains { a.dataset(named: $0) != b.dataset(named: $0) }
    }

    /// Reads the catalog from the primary (no network: the oracle's view) and
    /// appends it to the timeline when its version changed.
    mutating func recordCatalogVersion() {
        guard let spec = scenario.odas, let instance = rds.instances[spec.catalogDatabase] else { return }
        // Most commits (new datasets nobody scans) cannot change a decision:
        // compare a cheap fingerprint of the access tables first.
        let fingerprint = accessFingerprint(spec.catalogDatabase)
        if fingerprint != nil, fingerprint == catalogAccessFingerprint { return }
        catalogAccessFingerprint = fingerprint
        guard let rows = try? rds.inspect(instance.identifier, query: CatalogSnapshot.combinedLoadQuery),
              let snapshot = try? CatalogSnapshot(combinedRows: rows) else { return }
        if let last = catalogTimeline.last?.snapshot, last.version == snapshot.version || !Self.accessDiffers(last, snapshot, scanned: scannedDatasets) {
            return
        }
        catalogTimeline.append((loop.now, snapshot))
    }
}
