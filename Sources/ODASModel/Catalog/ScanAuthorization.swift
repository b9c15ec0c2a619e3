/// The planner's answer to "may this user scan this dataset, and what may
/// they see": ``CatalogSnapshot/authorizeScan(user:dataset:)``.
public enum ScanAuthorization: Sendable, Equatable {
    /// No access. The reason names the user, their groups and the dataset.
    case denied(reason: String)
    /// Access to some or all columns, with masks and row filters.
    case allowed(AuthorizedScan)

    /// The allowed scan, nil when denied.
    public var allowed: AuthorizedScan? {
        if case .allowed(let scan) = self { return scan }
        return nil
    }

    /// The denial reason, nil when allowed.
    public var deniedReason: String? {
        if case .denied(let reason) = self { return reason }
        return nil
    }
}

/// One column a scan returns: where it is in the dataset's rows and how it
/// is masked.
public struct VisibleColumn: Sendable, Hashable {
    /// Its position in the dataset's schema (index into a decoded ``Row``).
    public var position: Int
    /// Its definition in the dataset's schema.
    public var column: ColumnDefinition
    /// The mask applied to it for this user, nil when returned as stored.
    public var mask: MaskKind?

    /// A visible column at `position` of the dataset's schema.
    public init(position: Int, column: ColumnDefinition, mask: MaskKind?) {
        self.position = position
        self.column = column
        self.mask = mask
    }

    /// The column's type in the result (`hash` makes it a string).
    public var resultType: ColumnType { mask.map { $0.resultType(of: column.type) } ?? column.type }
}

/// What an allowed scan may return: the visible columns in schema order
/// with their masks, and the row filters every returned row must pass
/// (their conjunction).
public struct AuthorizedScan: Sendable, Equatable {
    /// The user who scans.
    public var user: String
    /// The user's groups, sorted.
    public var groups: [String]
    /// The user's roles, sorted.
    public var roles: [String]
    /// The dataset, with its full schema (rows decode against it).
    public var dataset: DatasetDefinition
    /// The columns returned, in schema order.
    public var columns: [VisibleColumn]
    /// The row filters of the user's roles on this dataset, sorted by role;
    /// a row is returned only if it passes all of them.
    public var rowFilters: [BoundRowPredicate]
    /// The catalog version this decision was made at.
    public var catalogVersion: Int

    /// An allowed scan (normally made by ``CatalogSnapshot/authorizeScan(user:dataset:)``).
    public init(user: String, groups: [String], roles: [String], dataset: DatasetDefinition, columns: [VisibleColumn],
                rowFilters: [BoundRowPredicate], catalogVersion: Int) {
        self.user = user
        self.groups = groups
        self.roles = roles
        self.dataset = dataset
        self.columns = columns
        self.rowFilters = rowFilters
        self.catalogVersion = catalogVersion
    }

    /// Whether `row` (in the dataset's schema) passes every row filter.
    public func passesFilters(_ row: Row) -> Bool { rowFilters.allSatisfy { $0.matches(row) } }
}
