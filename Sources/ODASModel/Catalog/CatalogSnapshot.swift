/// A column mask as stored: `kind` on `dataset`.`column`, for holders of
/// `role`, or for everyone but database/server admins when `role` is nil.
public struct ColumnMaskRule: Sendable, Hashable {
    /// The masked dataset (`database.table`).
    public var dataset: String
    /// The masked column.
    public var column: String
    /// The role whose holders the mask applies to; nil for everyone but
    /// database and server administrators.
    public var role: String?
    /// How values are masked.
    public var kind: MaskKind

    /// A mask rule as stored.
    public init(dataset: String, column: String, role: String?, kind: MaskKind) {
        self.dataset = dataset
        self.column = column
        self.role = role
        self.kind = kind
    }
}

/// A row filter as stored, with its predicate checked against the dataset's
/// schema when the snapshot was built. A filter whose predicate does not
/// parse or fit (`problem`) makes scans by holders of its role fail closed.
public struct RowFilterRule: Sendable, Equatable {
    /// The filtered dataset.
    public var dataset: String
    /// The role whose holders the filter applies to.
    public var role: String
    /// The predicate text as stored.
    public var predicate: String
    /// The checked predicate; nil when `problem` is set.
    public var bound: BoundRowPredicate?
    /// Why the predicate cannot be used; nil when it can.
    public var problem: CatalogError?
}

/// The whole catalog at one version, as a value: what the planner caches
/// (with a TTL) and authorizes scans against.
///
/// Built from the rows of ``loadQueries`` (or of ``combinedLoadQuery``).
/// Every list is sorted by UTF-8 bytes, so nothing depends on dictionary
/// order; lookups go through indexes built once.
public struct CatalogSnapshot: Sendable {
    /// The catalog version (0 for a fresh catalog; every change adds 1).
    public let version: Int
    /// Database names, sorted.
    public let databases: [String]
    /// Datasets with their schemas, sorted by name.
    public let datasets: [DatasetDefinition]
    /// Role names, sorted.
    public let roles: [String]
    /// `(role, group)` pairs, sorted.
    public let roleGroups: [RoleGroup]
    /// `(user, group)` pairs, sorted.
    public let userGroups: [UserGroup]
    /// Every grant, sorted by role, privilege, scope.
    public let grants: [Grant]
    /// Every column mask, sorted by dataset, column, role.
    public let masks: [ColumnMaskRule]
    /// Every row filter, sorted by dataset, role.
    public let rowFilters: [RowFilterRule]

    let datasetIndex: [String: Int]
    let groupsByUser: [String: [String]]
    let rolesByGroup: [String: [String]]
    let grantsByRole: [String: [Grant]]
    let masksByDataset: [String: [ColumnMaskRule]]
    let filtersByDataset: [String: [RowFilterRule]]

    /// A role given to a group.
    public struct RoleGroup: Sendable, Hashable {
        /// The role.
        public var role: String
        /// The group holding it.
        public var group: String
        /// A role given to a group.
        public init(role: String, group: String) { self.role = role; self.group = group }
    }

    /// A user's membership of a group.
    public struct UserGroup: Sendable, Hashable {
        /// The user.
        public var user: String
        /// The group they belong to.
        public var group: String
        /// A user in a group.
        public init(user: String, group: String) { self.user = user; self.group = group }
    }

    /// The snapshot of a catalog with nothing in it (version 0): every scan
    /// is denied, every change refused.
    public static let empty = CatalogSnapshot(version: 0, databases: [], datasets: [], roles: [], roleGroups: [],
                                              userGroups: [], grants: [], masks: [], rowFilters: [])

    init(version: Int, databases: [String], datasets: [DatasetDefinition], roles: [String], roleGroups: [RoleGroup],
         userGroups: [UserGroup], grants: [Grant], masks: [ColumnMaskRule], rowFilters: [RowFilterRule]) {
        self.version = version
        self.databases = databases.sorted(by: Self.precedes)
        self.datasets = datasets.sorted { Self.precedes($0.name, $1.name) }
        self.roles = roles.sorted(by: Self.precedes)
        self.roleGroups = roleGroups.sorted { Self.precedes([$0.role, $0.group], [$1.role, $1.group]) }
        self.userGroups = userGroups.sorted { Self.precedes([$0.user, $0.group], [$1.user, $1.group]) }
        self.grants = grants.sorted { Self.precedes(Self.sortKey($0), Self.sortKey($1)) }
        self.masks = masks.sorted { Self.precedes([$0.dataset, $0.column, $0.role ?? ""], [$1.dataset, $1.column, $1.role ?? ""]) }
        self.rowFilters = rowFilters.sorted { Self.precedes([$0.dataset, $0.role], [$1.dataset, $1.role]) }

        var datasetIndex: [String: Int] = [:]
        for (index, dataset) in self.datasets.enumerated() { datasetIndex[dataset.name] = index }
        self.datasetIndex = datasetIndex
        var groupsByUser: [String: [String]] = [:]
        for membership in self.userGroups { groupsByUser[membership.user, default: []].append(membership.group) }
        self.groupsByUser = groupsByUser
        var rolesByGroup: [String: [String]] = [:]
        for pair in self.roleGroups { rolesByGroup[pair.group, default: []].append(pair.role) }
        self.rolesByGroup = rolesByGroup
        var grantsByRole: [String: [Grant]] = [:]
        for grant in self.grants { grantsByRole[grant.role, default: []].append(grant) }
        self.grantsByRole = grantsByRole
        var masksByDataset: [String: [ColumnMaskRule]] = [:]
        for mask in self.masks { masksByDataset[mask.dataset, default: []].append(mask) }
        self.masksByDataset = masksByDataset
        var filtersByDataset: [String: [RowFilterRule]] = [:]
        for filter in self.rowFilters { filtersByDataset[filter.dataset, default: []].append(filter) }
        self.filtersByDataset = filtersByDataset
    }

    // MARK: Lookups

    /// The dataset named `name`, if it exists.
    public func dataset(named name: String) -> DatasetDefinition? {
        datasetIndex[name].map { datasets[$0] }
    }

    /// The columns of dataset `name` in schema order, nil when it does not exist.
    public func columns(of name: String) -> [ColumnDefinition]? { dataset(named: name)?.columns }

    /// The datasets of database `database`, sorted.
    public func datasets(in database: String) -> [DatasetDefinition] {
        datasets.filter { $0.database.utf8.elementsEqual(database.utf8) }
    }

    /// The groups `user` belongs to, sorted (empty for an unknown user).
    public func groups(of user: String) -> [String] { groupsByUser[user] ?? [] }

    /// The roles `user` holds through their groups, sorted, each once.
    public func roles(of user: String) -> [String] {
        var roles: Set<String> = []
        for group in groups(of: user) { roles.formUnion(rolesByGroup[group] ?? []) }
        return roles.sorted(by: Self.precedes)
    }

    /// The grants of `role`, sorted.
    public func grants(of role: String) -> [Grant] { grantsByRole[role] ?? [] }

    /// The grants `user` holds through their roles, sorted.
    public func grants(ofUser user: String) -> [Grant] { roles(of: user).flatMap { grants(of: $0) } }

    /// The masks on dataset `name`, sorted by column and role.
    public func masks(on name: String) -> [ColumnMaskRule] { masksByDataset[name] ?? [] }

    /// The row filters on dataset `name`, sorted by role.
    public func rowFilters(on name: String) -> [RowFilterRule] { filtersByDataset[name] ?? [] }

    // MARK: Ordering

    /// UTF-8 byte order: SQLite's BINARY collation, the same in every process.
    static func precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    static func precedes(_ a: [String], _ b: [String]) -> Bool {
        for (x, y) in zip(a, b) where !x.utf8.elementsEqual(y.utf8) { return precedes(x, y) }
        return a.count < b.count
    }

    static func sortKey(_ grant: Grant) -> [String] {
        let s = grant.storedScope
        return [grant.role, grant.privilege.rawValue, s.scope, s.database, s.dataset, s.column]
    }
}
