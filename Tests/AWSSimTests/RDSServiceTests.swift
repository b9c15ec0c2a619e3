import Testing
@testable import AWSSim
import SimCore

@Suite struct SQLiteReplicationTests {
    @Test func committedTransactionsReplayOnAReplica() throws {
        let primary = try SQLiteDatabase(), replica = try SQLiteDatabase()
        let setup = try primary.transaction(["CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"])
        let rows = try primary.transaction(["INSERT INTO t VALUES (1, 'a')", "INSERT INTO t VALUES (2, 'b')",
                                            "UPDATE t SET v = 'c' WHERE id = 1"])
        for entry in setup.log + rows.log { try replica.apply(entry) }
        #expect(try replica.query("SELECT id, v FROM t ORDER BY id") == [["1", "c"], ["2", "b"]])
        #expect(rows.log.count == 1) // one changeset for the whole transaction
    }

    @Test func aFailedStatementRollsTheWholeTransactionBack() throws {
        let db = try SQLiteDatabase()
        _ = try db.transaction(["CREATE TABLE t (id INTEGER PRIMARY KEY)"])
        #expect(throws: SQLiteError.self) { try db.transaction(["INSERT INTO t VALUES (1)", "INSERT INTO nope VALUES (2)"]) }
        #expect(try db.query("SELECT count(*) FROM t") == [["0"]])
    }

    @Test func tablesWithoutAPrimaryKeyAreRefused() throws {
        let db = try SQLiteDatabase()
        let error = #expect(throws: SQLiteError.self) { try db.transaction(["CREATE TABLE loose (v TEXT)"]) }
        #expect(error?.message.contains("no PRIMARY KEY") == true)
        #expect(try db.query("SELECT count(*) FROM sqlite_master") == [["0"]])
    }
}

@Suite struct RDSServiceTests {
    func world(multiAZ: Bool) throws -> (RDSService, FaultModel) {
        var faults = FaultModel()
        for az in ["us-west-2a", "us-west-2b"] {
            faults.addAvailabilityZone(az, region: "us-west-2")
            faults.addHost(DBInstance.host("db", az: az), in: .availabilityZone(az))
        }
        var rds = RDSService(random: SimRandom(seed: 1))
        try rds.createDBInstance(identifier: "db", engine: "mysql", region: "us-west-2", primaryAZ: "us-west-2a",
                                 standbyAZ: multiAZ ? "us-west-2b" : nil)
        _ = try rds.execute("db", statements: ["CREATE TABLE t (id INTEGER PRIMARY KEY)"], faults: faults)
        return (rds, faults)
    }

    @Test func multiAZFailsOverWithinOneToTwoMinutesAndKeepsEveryCommit() throws {
        var (rds, faults) = try world(multiAZ: true)
        for id in 1...20 { _ = try rds.execute("db", statements: ["INSERT INTO t VALUES (\(id))"], faults: faults) }
        faults.apply(.outage(.availabilityZone("us-west-2a")))
        rds.faultsChanged(faults, now: .zero)
        #expect(rds.instances["db"]?.status == .failingOver)
        #expect(throws: RDSError.self) { try rds.execute("db", statements: ["SELECT 1"], faults: faults) }
        let (at, event) = (rds.outbox[0].at, rds.outbox[0].event)
        #expect(RDSService.failoverDuration.contains(at - .zero))
        rds.handle(event, faults: faults, now: at)
        #expect(rds.instances["db"]?.status == .available)
        #expect(rds.instances["db"]?.primaryAZ == "us-west-2b")
        #expect(try rds.execute("db", statements: ["SELECT count(*) FROM t"], faults: faults) == [["20"]])
    }

    @Test func singleAZStaysDownUntilItsAZReturns() throws {
        var (rds, faults) = try world(multiAZ: false)
        _ = try rds.execute("db", statements: ["INSERT INTO t VALUES (1)"], faults: faults)
        let outage = faults.apply(.outage(.availabilityZone("us-west-2a")))
        rds.faultsChanged(faults, now: .zero)
        #expect(rds.instances["db"]?.status == .unavailable)
        #expect(rds.outbox.isEmpty)
        faults.lift(outage)
        rds.faultsChanged(faults, now: .zero)
        #expect(rds.instances["db"]?.status == .available)
        #expect(try rds.execute("db", statements: ["SELECT count(*) FROM t"], faults: faults) == [["1"]])
    }

    @Test func aStandbyThatMissedWritesCatchesUpBeforeItCanTakeOver() throws {
        var (rds, faults) = try world(multiAZ: true)
        let standbyOutage = faults.apply(.outage(.availabilityZone("us-west-2b")))
        rds.faultsChanged(faults, now: .zero)
        _ = try rds.execute("db", statements: ["INSERT INTO t VALUES (1)"], faults: faults)
        #expect(rds.instances["db"]?.standbyInSync == false)
        faults.lift(standbyOutage)
        rds.faultsChanged(faults, now: .zero)
        #expect(rds.instances["db"]?.standbyInSync == true)
        faults.apply(.outage(.availabilityZone("us-west-2a")))
        rds.faultsChanged(faults, now: .zero)
        let pending = rds.outbox.removeFirst()
        rds.handle(pending.event, faults: faults, now: pending.at)
        #expect(try rds.execute("db", statements: ["SELECT count(*) FROM t"], faults: faults) == [["1"]])
    }

    @Test func sqlErrorsComeBackAsErrorsAndLoseNothing() throws {
        var (rds, faults) = try world(multiAZ: true)
        _ = try rds.execute("db", statements: ["INSERT INTO t VALUES (1)"], faults: faults)
        let error = #expect(throws: RDSError.self) { try rds.execute("db", statements: ["INSERT INTO t VALUES (1)"], faults: faults) }
        #expect(error?.code == "SQLError")
        #expect(throws: RDSError.self) { try rds.execute("nope", statements: ["SELECT 1"], faults: faults) }
        #expect(try rds.execute("db", statements: ["SELECT count(*) FROM t"], faults: faults) == [["1"]])
    }

    @Test func auroraPromotesAReaderAndKeepsTheSharedVolume() throws {
        var faults = FaultModel()
        for az in ["us-west-2a", "us-west-2b"] {
            faults.addAvailabilityZone(az, region: "us-west-2")
            faults.addHost(DBInstance.host("au", az: az), in: .availabilityZone(az))
        }
        var rds = RDSService(random: SimRandom(seed: 2))
        try rds.createDBCluster(identifier: "au", region: "us-west-2", writerAZ: "us-west-2a", readerAZs: ["us-west-2b"],
                                globalSecondaryRegion: nil, globalSecondaryAZ: nil)
        _ = try rds.execute("au", statements: ["CREATE TABLE t (id INTEGER PRIMARY KEY)", "INSERT INTO t VALUES (1)"], faults: faults)
        faults.apply(.outage(.availabilityZone("us-west-2a")))
        rds.faultsChanged(faults, now: .zero)
        let pending = rds.outbox.removeFirst()
        #expect(RDSService.auroraFailoverDuration.contains(pending.at - .zero))
        rds.handle(pending.event, faults: faults, now: pending.at)
        #expect(rds.instances["au"]?.primaryAZ == "us-west-2b")
        #expect(rds.instances["au"]?.readerAZs == ["us-west-2a"])
        #expect(try rds.execute("au", statements: ["SELECT count(*) FROM t"], faults: faults) == [["1"]])
    }

    @Test func globalFailoverLosesOnlyTheUnreplicatedTail() throws {
        var faults = FaultModel()
        faults.addAvailabilityZone("us-west-2a", region: "us-west-2")
        faults.addAvailabilityZone("us-east-1a", region: "us-east-1")
        faults.addHost(DBInstance.host("g", az: "us-west-2a"), in: .availabilityZone("us-west-2a"))
        faults.addHost(DBInstance.host("g", az: "us-east-1a"), in: .availabilityZone("us-east-1a"))
        var rds = RDSService(random: SimRandom(seed: 3))
        try rds.createDBCluster(identifier: "g", region: "us-west-2", writerAZ: "us-west-2a", readerAZs: [],
                                globalSecondaryRegion: "us-east-1", globalSecondaryAZ: "us-east-1a")
        _ = try rds.execute("g", statements: ["CREATE TABLE t (id INTEGER PRIMARY KEY)"], faults: faults, now: .zero)
        _ = try rds.execute("g", statements: ["INSERT INTO t VALUES (1)"], faults: faults, now: .zero)
        // Deliver everything due within a minute: both commits reach us-east-1.
        for item in rds.outbox { rds.handle(item.event, faults: faults, now: item.at) }
        rds.outbox.removeAll()
        _ = try rds.execute("g", statements: ["INSERT INTO t VALUES (2)"], faults: faults, now: SimInstant.zero + .minutes(1))
        rds.outbox.removeAll() // the region is lost before this commit replicates
        faults.apply(.outage(.region("us-west-2")))
        try rds.failoverGlobalCluster("g", now: SimInstant.zero + .minutes(2))
        let promotion = rds.outbox.removeFirst()
        rds.handle(promotion.event, faults: faults, now: promotion.at)
        #expect(rds.instances["g"]?.region == "us-east-1")
        #expect(rds.instances["g"]?.status == .available)
        #expect(try rds.execute("g", statements: ["SELECT id FROM t ORDER BY id"], faults: faults) == [["1"]])
    }
}
