import AWSSim
@testable import ODASModel
import SimCore
import Testing

/// The catalog through the RDS fake's own API, as the catalog service will use it.
@Suite struct RDSCatalogTests {
    func multiAZ() throws -> (RDSService, FaultModel) {
        var faults = FaultModel()
        for az in ["us-west-2a", "us-west-2b"] {
            faults.addAvailabilityZone(az, region: "us-west-2")
            faults.addHost(DBInstance.host("catalog", az: az), in: .availabilityZone(az))
        }
        var rds = RDSService(random: SimRandom(seed: 7))
        try rds.createDBInstance(identifier: "catalog", engine: "mysql", region: "us-west-2", primaryAZ: "us-west-2a",
                                 standbyAZ: "us-west-2b")
        _ = try rds.execute("catalog", statements: CatalogSchema.statements, faults: faults)
        return (rds, faults)
    }

    func load(_ rds: inout RDSService, _ faults: FaultModel, onReader: Bool = false) throws -> CatalogSnapshot {
        try CatalogSnapshot(combinedRows: rds.execute("catalog", statements: [CatalogSnapshot.combinedLoadQuery],
                                                      faults: faults, onReader: onReader))
    }

    @Test func acknowledgedCatalogChangesSurviveAMultiAZFailover() throws {
        var (rds, faults) = try multiAZ()
        var acknowledged: [Int] = []
        for change in Fixtures.base() + [.grant(Grant(role: "analyst", privilege: .select, scope: .dataset("sales.transactions")))] {
            let rows = try rds.execute("catalog", statements: try change.statements(), faults: faults)
            acknowledged.append(Int(rows.first?.first.flatMap { $0 } ?? "") ?? -1)
        }
        #expect(acknowledged == Array(1...acknowledged.count))
        let before = try load(&rds, faults)

        faults.apply(.outage(.availabilityZone("us-west-2a")))
        rds.faultsChanged(faults, now: .zero)
        let pending = rds.outbox.removeFirst()
        rds.handle(pending.event, faults: faults, now: pending.at)
        #expect(rds.instances["catalog"]?.primaryAZ == "us-west-2b")

        let after = try load(&rds, faults)
        #expect(after.version == acknowledged.last)
        #expect(after.grants == before.grants)
        #expect(after.authorizeScan(user: "bob", dataset: "sales.transactions").allowed?.columns.count == 6)
    }

    @Test func aFailedChangeIsNotAcknowledgedAndLeavesTheVersion() throws {
        var (rds, faults) = try multiAZ()
        let error = #expect(throws: RDSError.self) {
            try rds.execute("catalog", statements: try CatalogChange.createDataset(Fixtures.ledger).statements(), faults: faults)
        }
        #expect(error?.code == "SQLError")
        #expect(try load(&rds, faults).version == 0)
    }

    @Test func anAuroraReaderAnswersTheCombinedLoadQuery() throws {
        var faults = FaultModel()
        for az in ["us-west-2a", "us-west-2b"] {
            faults.addAvailabilityZone(az, region: "us-west-2")
            faults.addHost(DBInstance.host("catalog", az: az), in: .availabilityZone(az))
        }
        var rds = RDSService(random: SimRandom(seed: 3))
        try rds.createDBCluster(identifier: "catalog", region: "us-west-2", writerAZ: "us-west-2a", readerAZs: ["us-west-2b"],
                                globalSecondaryRegion: nil, globalSecondaryAZ: nil)
        _ = try rds.execute("catalog", statements: CatalogSchema.statements, faults: faults)
        for change in Fixtures.base() {
            _ = try rds.execute("catalog", statements: try change.statements(), faults: faults)
        }
        let fromReader = try load(&rds, faults, onReader: true)
        #expect(fromReader.version == Fixtures.base().count)
        #expect(fromReader.datasets.map(\.name) == ["finance.ledger", "sales.customers", "sales.transactions"])
    }
}
