@testable import ODASModel
import Testing

@Suite struct CatalogCheckTests {
    @Test func aChangeThatFitsTheCatalogPasses() throws {
        let snapshot = try Fixtures.snapshot()
        #expect(throws: Never.self) {
            try snapshot.check(.setRowFilter(dataset: "sales.transactions", role: "analyst", predicate: "region = 'west'"))
            try snapshot.check(.createDatabase("hr"))
            try snapshot.check(.grant(Grant(role: "analyst", privilege: .select, scope: .dataset("sales.later"))))
        }
    }

    @Test func aRowFilterNamingAnUnknownColumnIsCaughtBeforeTheWrite() throws {
        let snapshot = try Fixtures.snapshot()
        #expect(throws: CatalogError.invalidPredicate(
            offset: 0, message: "unknown column colour in sales.transactions (columns: id, amount, region, card, day, refunded)")) {
            try snapshot.check(.setRowFilter(dataset: "sales.transactions", role: "analyst", predicate: "colour = 'red'"))
        }
    }

    @Test func missingReferencesAndDuplicatesAreNamed() throws {
        let snapshot = try Fixtures.snapshot()
        #expect(throws: CatalogError.invalidDefinition(field: "role", reason: "role ghost does not exist (roles: admin, analyst, auditor)")) {
            try snapshot.check(.grantRoleToGroup(role: "ghost", group: "g"))
        }
        #expect(throws: CatalogError.invalidDefinition(field: "database", reason: "database hr does not exist (databases: finance, sales)")) {
            var dataset = Fixtures.customers
            dataset.name = "hr.people"
            try snapshot.check(.createDataset(dataset))
        }
        #expect(throws: CatalogError.invalidDefinition(field: "dataset", reason: "dataset sales.customers already exists")) {
            try snapshot.check(.createDataset(Fixtures.customers))
        }
        #expect(throws: CatalogError.invalidDefinition(field: "column", reason: "dataset sales.customers has no column card (columns: id, name)")) {
            try snapshot.check(.setColumnMask(dataset: "sales.customers", column: "card", role: nil, kind: .null))
        }
    }
}
