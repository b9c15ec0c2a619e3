import Foundation
import Testing
@testable import Scenarios
import SimCore

/// `explore`: schedules drawn inside the topology and the run, the same per
/// seed in any process and with any number of jobs, shards that add up to
/// the whole, and shrinking that keeps the failure and makes it smaller.
@Suite struct ExploreTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixture = root.appendingPathComponent("Tests/ScenariosTests/Fixtures/explore-db.yaml").path

    static func load(_ path: String) throws -> Scenario { try ScenarioLoader.load(path: path) }

    static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("explore-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    @Test func schedulesStayInsideTheTopologyAndTheRun() throws {
        let scenario = try Self.load(Self.root.appendingPathComponent("scenarios/az-failure.yaml").path)
        let vocabulary = FaultVocabulary(scenario)
        let generator = ScheduleGenerator(vocabulary: vocabulary)
        var actionsSeen: Set<FaultAction> = []
        for seed in UInt64(1)...400 {
            let faults = generator.schedule(runLength: scenario.duration, seed: seed)
            #expect((1...3).contains(faults.count), "seed \(seed): \(faults.count) faults")
            for fault in faults {
                actionsSeen.insert(fault.action)
                #expect(FaultVocabulary.targets(of: fault.action, in: scenario).contains(fault.target), "seed \(seed): \(fault.target) for \(fault.action)")
                #expect(fault.at < scenario.duration)
                if let end = fault.end { #expect(end <= scenario.duration, "seed \(seed): \(fault.name) ends at \(end)") }
                #expect(fault.action.isInstant == (fault.duration == nil))
                #expect((fault.latency != nil) == (fault.action == .networkLatency))
            }
            let outages = faults.filter(ScheduleGenerator.isLargeOutage)
            for (i, a) in outages.enumerated() { for b in outages[(i + 1)...] { #expect(!ScheduleGenerator.overlap(a, b), "seed \(seed)") } }
        }
        // A single-region scenario that schedules no region outage does not claim to survive one.
        #expect(!actionsSeen.contains(.regionOutage))
        #expect(actionsSeen.isSuperset(of: [.azOutage, .nodeCrash, .hostCrash, .dbPrimaryCrash, .networkPartition, .networkLatency]))
        // Every schedule is a valid scenario: written into the file, it loads.
        var document = try ScenarioDocument(file: scenario.file)
        for seed in UInt64(1)...15 {
            document.setFaults(generator.schedule(runLength: scenario.duration, seed: seed))
            let reloaded = try ScenarioLoader.load(data: Data(try document.text().utf8), file: scenario.file)
            #expect(reloaded.faults.map(ExploredFault.init) == generator.schedule(runLength: scenario.duration, seed: seed).map(ExploredFault.init))
        }
    }

    @Test func theDefaultVocabularyIsTheScenariosDisruptionClass() throws {
        let az = try Self.load(Self.root.appendingPathComponent("scenarios/az-failure.yaml").path)
        #expect(!FaultVocabulary(az).actions.contains(.regionOutage))
        let region = try Self.load(Self.root.appendingPathComponent("scenarios/region-failure.yaml").path)
        #expect(FaultVocabulary(region).actions.contains(.regionOutage))
        let fixture = try Self.load(Self.fixture)
        #expect(FaultVocabulary(fixture).actions == [.azOutage, .networkPartition, .hostCrash, .networkLatency, .networkPacketLoss, .dbPrimaryCrash])
        let missing = FaultVocabulary.unavailable([.nodeCrash, .azOutage, .dnsHealthCheckFailure], in: fixture)
        #expect(missing.map(\.0) == [.nodeCrash, .dnsHealthCheckFailure])
        #expect(missing.first?.1.contains("Kubernetes node") == true)
    }

    @Test func theSameSeedGivesTheSameScheduleAndAnotherSeedAnother() throws {
        let scenario = try Self.load(Self.fixture)
        let generator = ScheduleGenerator(vocabulary: FaultVocabulary(scenario))
        let first = (1...50).map { generator.schedule(runLength: scenario.duration, seed: UInt64($0)).map(ExploredFault.init) }
        let again = (1...50).map { generator.schedule(runLength: scenario.duration, seed: UInt64($0)).map(ExploredFault.init) }
        #expect(first == again)
        #expect(Set(first.map { $0.map(\.summary).joined(separator: ";") }).count >= 48)
    }

    @Test func jobsAndShardsDoNotChangeTheResultOfASeed() throws {
        let scenario = try Self.load(Self.fixture)
        let generator = ScheduleGenerator(vocabulary: FaultVocabulary(scenario))
        let whole = Exploration.explore(scenario, generator: generator, seeds: SeedSpace(count: 8), jobs: 1)
        #expect(whole.map(\.seed) == Array(1...8))
        let parallel = Exploration.explore(scenario, generator: generator, seeds: SeedSpace(count: 8), jobs: 2)
        #expect(parallel == whole)
        let shards = (0..<3).map { index in
            Exploration.explore(scenario, generator: generator, seeds: SeedSpace(count: 8, shardIndex: index, shardCount: 3), jobs: 1)
        }
        #expect(shards.map { $0.map(\.seed) } == [[1, 4, 7], [2, 5, 8], [3, 6]])
        let reports = shards.enumerated().map { index, results in
            (path: "shard-\(index)", report: ExploreReport(scenario: scenario, actions: generator.vocabulary.actions, maxFaults: 3,
                                                          shard: "\(index)/3", results: results, shrunk: []))
        }
        let merged = try ExploreMerge.merge(reports)
        let single = ExploreReport(scenario: scenario, actions: generator.vocabulary.actions, maxFaults: 3, shard: nil,
                                   results: whole, shrunk: [])
        #expect(merged == single)
        #expect(ExploreFiles.render(merged) == ExploreFiles.render(single))
        // The verdicts are honest: some seeds fail, some are vacuous (the client's own zone lost), none is a bare pass of nothing.
        #expect(whole.contains { $0.verdict == "fail" })
        #expect(whole.contains { $0.verdict == "vacuous" })
    }

    @Test func mergeRefusesShardsOfAnotherScenarioOrAConflictingSeed() throws {
        let scenario = try Self.load(Self.fixture)
        let generator = ScheduleGenerator(vocabulary: FaultVocabulary(scenario))
        let results = Exploration.explore(scenario, generator: generator, seeds: SeedSpace(count: 2), jobs: 1)
        let report = ExploreReport(scenario: scenario, actions: generator.vocabulary.actions, maxFaults: 3, shard: nil, results: results, shrunk: [])
        var other = report
        other.sourceDigest = "0000000000000000"
        #expect(throws: ScenarioDocument.Failure.self) { try ExploreMerge.merge([("a", report), ("b", other)]) }
        var conflicting = report
        conflicting.results[0].traceHash = "another run"
        do {
            _ = try ExploreMerge.merge([("a", report), ("b", conflicting)])
            Issue.record("a seed with two different results merged")
        } catch {
            #expect(error.description.contains("seed 1 has different results in a and b"))
        }
        var wider = report
        wider.maxFaults = 5
        #expect(throws: ScenarioDocument.Failure.self) { try ExploreMerge.merge([("a", report), ("b", wider)]) }
    }

    @Test func shrinkingKeepsTheFailureMakesItSmallerAndWritesAScenarioThatRunFails() throws {
        let scenario = try Self.load(Self.fixture)
        let generator = ScheduleGenerator(vocabulary: FaultVocabulary(scenario))
        let results = Exploration.explore(scenario, generator: generator, seeds: SeedSpace(count: 12), jobs: 2)
        #expect(FoundScenarios.picks(results, limit: 0).isEmpty)
        let picks = FoundScenarios.picks(results, limit: 1)
        let pick = try #require(picks.first, "no failing seed among 12")
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let record = try FoundScenarios.shrinkAndWrite(scenario, outcome: pick.seed, expectation: pick.expectation, generator: generator,
                                                       directory: directory, maxRuns: 40, limits: LoadLimits()).get()
        #expect(record.shrunk.faults <= record.original.faults)
        #expect(record.shrunk.workloads <= record.original.workloads)
        let shrunkDuration = try DurationSyntax.parse(record.shrunk.duration).get()
        let shorter = shrunkDuration < scenario.duration
        #expect(shorter || record.shrunk.faults < record.original.faults || record.shrunk.workloads < record.original.workloads)
        #expect(record.verified.hasPrefix("FAIL \(pick.expectation)"))
        // The written file is a plain scenario that fails the same expectation when run.
        let written = try ScenarioLoader.load(path: directory + "/" + record.file)
        #expect(written.name == "explore-db-seed-\(pick.seed.seed)")
        let rerun = ScenarioRunner.run(written).report
        #expect(rerun.expectations.first { $0.id == pick.expectation }?.status == .fail)
        #expect(rerun.verdict == "fail")
        #expect(rerun.expectations.allSatisfy { $0.id == pick.expectation || $0.status != .fail })
        #expect(!FileManager.default.fileExists(atPath: directory + "/" + record.file + ".partial"))
    }

    @Test func aDocumentDropsAWorkloadWithTheExpectationsNamingItAndMovesRelativePaths() throws {
        var document = try ScenarioDocument(file: Self.root.appendingPathComponent("scenarios/eks-az-failure.yaml").path)
        let names = document.workloadNames
        #expect(!names.isEmpty)
        for name in names.dropFirst() { document.removeWorkload(name) }
        document.movePaths(to: Self.root.appendingPathComponent("scenarios/found").path)
        let text = try document.text()
        #expect(text.contains("../k8s/odas-planner.yaml"))
        #expect(!names.dropFirst().contains { text.contains("name: \($0)\n") })
        let directory = Self.root.appendingPathComponent("scenarios/found")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("document-test-\(UUID().uuidString).yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reloaded = try ScenarioLoader.load(path: path)
        #expect(reloaded.workloads.map(\.name) == [names[0]])
    }

    @Test func aSweepLosesEachZoneInTurn() throws {
        let scenario = try Self.load(Self.fixture)
        let rows = Sweep.run(scenario, kind: .az, jobs: 2)
        #expect(rows.map(\.target) == ["us-west-2a", "us-west-2b", "us-west-2c"])
        // The author's own fault (lose-2a) is aimed at each zone: the primary's zone fails over within the RTO,
        // the standby's zone costs nothing, the client's own zone cannot be measured.
        #expect(rows[0].outcome.verdict == "pass")
        #expect(rows[0].outcome.faults.map(\.target) == ["us-west-2a"])
        #expect(rows[2].outcome.faults.map(\.target) == ["us-west-2c"])
        #expect(rows[2].outcome.verdict == "vacuous")
        #expect(rows[2].outcome.vacuous.contains("rto/writes"))
        let text = Sweep.render(scenario.name, kind: .az, rows: rows)
        #expect(text.contains("us-west-2c  VACUOUS"))
        // A kind the scenario has no fault of gets one.
        let hostFaults = Sweep.schedule(scenario, kind: .host, target: .host("batch"))
        #expect(hostFaults.map(\.action) == [.azOutage, .hostCrash])
        #expect(hostFaults.last?.at == .minutes(2))
        #expect(hostFaults.last?.duration == .minutes(4))
    }
}

/// The shipped scenario with a latent flaw: its own schedule passes,
/// `explore` finds the schedule that breaks it within the scenario's default
/// budget, and the committed shrunk scenario still fails.
@Suite struct LatentFlawTests {
    static let file = ExploreTests.root.appendingPathComponent("scenarios/explore-catalog-db.yaml").path

    @Test func theAuthorsScheduleHoldsAndExploreFindsTheCrashDuringTheStandbyZonesOutage() throws {
        let scenario = try ScenarioLoader.load(path: Self.file)
        #expect(ScenarioRunner.run(scenario).report.verdict == "pass")
        let spec = try #require(scenario.explore)
        #expect(spec.faults == [.azOutage, .dbPrimaryCrash])
        let generator = ScheduleGenerator(vocabulary: FaultVocabulary(scenario), maxFaults: spec.maxFaults ?? 3)
        let results = Exploration.explore(scenario, generator: generator, seeds: SeedSpace(count: spec.seeds), jobs: 2)
        #expect(results.count == 40)
        let failing = results.filter { $0.verdict == "fail" }
        #expect(!failing.isEmpty, "explore did not find the flaw within the default budget")
        // Every failure is the flaw: a primary crash while the zone it would fail over to is down.
        for outcome in failing {
            #expect(outcome.failed.contains { $0.id == "rto/catalog-writes" })
            #expect(outcome.faults.contains { $0.action == "db-primary-crash" })
            #expect(outcome.faults.contains { $0.action == "az-outage" && ($0.target == "us-west-2a" || $0.target == "us-west-2b") })
        }
    }

    @Test func theCommittedShrunkScenarioStillFails() throws {
        let found = try ScenarioLoader.load(path: ExploreTests.root.appendingPathComponent("scenarios/found/explore-catalog-db-seed-17.yaml").path)
        #expect(found.faults.map(\.action) == [.azOutage, .dbPrimaryCrash])
        #expect(found.workloads.map(\.name) == ["catalog-writes"])
        let report = ScenarioRunner.run(found).report
        let rto = try #require(report.expectations.first { $0.id == "rto/catalog-writes" })
        #expect(rto.status == .fail)
        #expect((rto.measuredValue ?? 0) > 180)
        #expect(report.timeline.contains { $0.text.contains("primary crashed, restarting") })
    }

    @Test func theExploreSectionIsCheckedLikeEveryOther() {
        let base = "name: x\nduration: 10m\ntopology: {regions: [{name: us-west-2, azs: [us-west-2a]}]}\n"
        for (section, message) in [("explore: {faults: [meteor]}", "unknown fault action \"meteor\""),
                                   ("explore: {seeds: 0}", "seed count"),
                                   ("explore: {maxFaults: 30}", "fault count"),
                                   ("explore: {faults: [az-outage, az-outage]}", "listed twice"),
                                   ("explore: {budget: 5m}", "budget")] {
            do {
                _ = try ScenarioLoader.load(data: Data((base + section).utf8), file: "x.yaml")
                Issue.record("accepted: \(section)")
            } catch {
                #expect(error.description.contains(message), "\(section): \(error.description)")
                #expect(error.description.contains("x.yaml:4:"), "\(error.description)")
            }
        }
    }
}
