import Foundation
import Testing
@testable import Scenarios
import SimCore

/// The ODAS REST API of a live world (what `serve` answers), in-process:
/// authentication, datasets, a masked and filtered scan whose rows are the
/// catalog's, errors, and determinism.
@Suite struct ODASRestAPITests {
    static func live(_ text: String = ODASScenarioTests.scenario()) throws -> LiveWorld {
        let withTokens = text.replacingOccurrences(of: "{name: alice, groups: [analysts]}", with: "{name: alice, groups: [analysts], token: alice-token}")
            .replacingOccurrences(of: "{name: eve, groups: []}", with: "{name: eve, groups: [], token: eve-token-1}")
        var world = LiveWorld(scenario: try ScenarioLoader.load(data: Data(withTokens.utf8), file: "odas-small.yaml"))
        world.advance(to: .zero + .seconds(30))
        return world
    }

    static func get(_ world: inout LiveWorld, _ target: String, token: String? = "alice-token", method: String = "GET")
        -> (status: Int, json: [String: Any]) {
        let headers = token.map { [("Authorization", "Bearer " + $0)] } ?? []
        let response = world.handleODAS(WireRequest(method: method, target: target, headers: headers))
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        return (response.status, json)
    }

    @Test func aUserListsWhatTheyMayScanWithMasks() throws {
        var world = try Self.live()
        let alice = Self.get(&world, "/api/datasets")
        #expect(alice.status == 200)
        let datasets = try #require(alice.json["datasets"] as? [[String: Any]])
        #expect(datasets.map { $0["name"] as? String } == ["sales.tx"])
        let columns = try #require(datasets.first?["columns"] as? [[String: Any]])
        #expect(columns.first { $0["name"] as? String == "ssn" }?["mask"] as? String == "hash")
        let eve = Self.get(&world, "/api/datasets", token: "eve-token-1")
        #expect(eve.status == 200)
        #expect((eve.json["datasets"] as? [Any])?.isEmpty == true)
    }

    @Test func aScanReturnsTheFilteredMaskedRowsOfTheCatalog() throws {
        var world = try Self.live()
        let scan = Self.get(&world, "/api/scan/sales.tx?records=1000")
        #expect(scan.status == 200, "\(scan.json)")
        let records = try #require(scan.json["records"] as? [[String: Any]])
        let returned = try #require(scan.json["rowsReturned"] as? Int)
        #expect(records.count == returned)
        #expect(returned < (scan.json["rowsRead"] as? Int ?? 0), "the row filter id < 500000 drops rows")
        #expect(records.allSatisfy { ($0["id"] as? Int ?? .max) < 500_000 })
        #expect(records.allSatisfy { ($0["ssn"] as? String)?.count == 64 })
        #expect(records.allSatisfy { $0["card"] is String })
        // The same rows the checkers expect from the catalog: count and order are the files'.
        let snapshot = try #require(world.world.catalogTimeline.last?.snapshot)
        var expected = ODASChecks.ExpectedScans()
        #expect(expected.summary(version: 0, snapshot, user: "alice", dataset: "sales.tx")?.rowsReturned == returned)
        let two = Self.get(&world, "/api/scan/sales.tx?records=2")
        #expect((two.json["records"] as? [[String: Any]])?.map { $0["id"] as? Int } == records.prefix(2).map { $0["id"] as? Int })
        #expect(two.json["truncated"] as? Bool == true)
    }

    @Test func refusalsAndBadRequestsAnswerWithTheirStatus() throws {
        var world = try Self.live()
        #expect(Self.get(&world, "/api/datasets", token: nil).status == 401)
        #expect(Self.get(&world, "/api/datasets", token: "wrong-token").status == 401)
        let denied = Self.get(&world, "/api/scan/sales.tx", token: "eve-token-1")
        #expect(denied.status == 403)
        #expect((denied.json["error"] as? String)?.contains("rest-server odas-rest-server-") == true)
        #expect(Self.get(&world, "/api/scan/sales.tx?records=abc").status == 400)
        #expect(Self.get(&world, "/api/datasets", method: "DELETE").status == 405)
        #expect(Self.get(&world, "/api/other").status == 404)
        var plain = LiveWorld(scenario: try ScenarioLoader.load(data: Data("""
            name: no-odas
            duration: 1h
            topology: {regions: [{name: us-west-2, azs: [us-west-2a]}]}
            """.utf8), file: "plain.yaml"))
        #expect(Self.get(&plain, "/api/datasets").status == 404)
    }

    @Test func aScanFailsNamingItsHopWhileTheCatalogIsDownAndRecovers() throws {
        var world = try Self.live()
        #expect(Self.get(&world, "/api/scan/sales.tx").status == 200)
        // The catalog database's primary is in us-west-2a: planners cannot refresh and fail closed.
        _ = try world.injectFault(action: "az-outage", target: "us-west-2a", duration: .minutes(20))
        world.advance(to: world.now + .seconds(40))
        let during = Self.get(&world, "/api/scan/sales.tx")
        #expect([503, 504].contains(during.status), "\(during.json)")
        #expect((during.json["error"] as? String)?.contains("rest-server") == true, "\(during.json)")
        world.advance(to: world.now + .minutes(12))
        let after = Self.get(&world, "/api/scan/sales.tx")
        #expect(after.status == 200, "\(after.json)")
    }

    @Test func theSameRequestsGiveTheSameAnswers() throws {
        var a = try Self.live(), b = try Self.live()
        for target in ["/api/datasets", "/api/scan/sales.tx?records=3", "/api/scan/sales.tx"] {
            let x = a.handleODAS(WireRequest(method: "GET", target: target, headers: [("Authorization", "Bearer alice-token")]))
            let y = b.handleODAS(WireRequest(method: "GET", target: target, headers: [("Authorization", "Bearer alice-token")]))
            #expect(x.body == y.body)
        }
    }

    @Test func aDatabaseCrashInjectedLiveFailsTheCatalogOverAndScansFollow() throws {
        var world = try Self.live()
        #expect(Self.get(&world, "/api/scan/sales.tx").status == 200)
        let id = try world.injectFault(action: "db-primary-crash", target: "catalog-db", duration: nil)
        #expect(id.hasPrefix("control-"))
        // Past the 20 s policy-cache TTL, planners must refresh while the database fails over: fail closed.
        world.advance(to: world.now + .seconds(25))
        let during = Self.get(&world, "/api/scan/sales.tx")
        #expect(during.status == 503 && during.json["code"] as? String == "CatalogUnavailable", "\(during.json)")
        world.advance(to: world.now + .minutes(3))
        #expect(Self.get(&world, "/api/scan/sales.tx").status == 200)
        #expect(world.world.timeline.contains { $0.text.contains("db-primary-crash catalog-db") })
        var refusals: [String] = []
        for action in ["db-primary-crash", "db-global-failover", "dns-health-check-failure"] {
            do {
                _ = try world.injectFault(action: action, target: "nope", duration: nil)
            } catch {
                refusals.append(error.description)
            }
        }
        #expect(refusals.count == 3)
        #expect(refusals.first?.contains("catalog-db") == true, "the error lists the databases: \(refusals)")
        #expect(refusals.last?.contains("has none") == true, "\(refusals)")
    }
}
