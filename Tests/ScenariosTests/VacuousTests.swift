import Foundation
import Testing
@testable import Scenarios
import SimCore

/// Each rule of docs/properties.md, "Vacuous expectations": the run could
/// not observe the expectation or did not exercise it, and says so.
@Suite struct VacuousTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func scenario(client: String = "planner", faults: String, expect: String, declared: String = "") -> String {
        """
        name: vac
        seed: 5
        duration: 40m
        topology:
          regions:
            - {name: us-west-2, azs: [us-west-2a, us-west-2b]}
            - {name: us-east-1, azs: [us-east-1a]}
          hosts:
            - {name: planner, az: us-west-2b}
            - {name: planner-dr, az: us-east-1a}
        buckets:
          - {name: okera-data, region: us-west-2, objects: 20}
        database: {identifier: odas-catalog, engine: mysql, region: us-west-2, primaryAZ: us-west-2a}
        workload:
          - {name: writes, kind: db-write, from: \(client), rate: 2/s}
          - {name: reads, kind: s3-get, bucket: okera-data, from: planner-dr, rate: 2/s}
        faults:
        \(faults)
        expect:
        \(expect)
        \(declared)
        """
    }

    static func run(_ text: String) throws -> ScenarioRunner.Outcome {
        ScenarioRunner.run(try ScenarioLoader.load(data: Data(text.utf8), file: "vac.yaml"))
    }

    static func result(_ outcome: ScenarioRunner.Outcome, _ id: String) -> PropertyResult? {
        outcome.report.expectations.first { $0.id == id }
    }

    @Test func aClientDownWithTheRegionCannotMeasureTheRTO() throws {
        let outcome = try Self.run(Self.scenario(
            faults: "  - {name: lose-west, action: region-outage, target: us-west-2, at: 10m, duration: 10m}",
            expect: "  rto: {writes: 1m}\n  availability: {writes: 99%}"))
        let rto = Self.result(outcome, "rto/writes")
        #expect(rto?.status == .vacuous)
        #expect(rto?.detail.contains("client writes was down with us-west-2 from T+10m") == true)
        #expect(rto?.detail.contains("cannot be measured") == true)
        #expect(Self.result(outcome, "availability/writes")?.status == .vacuous)
        #expect(outcome.report.verdict == "vacuous")
        #expect(outcome.report.exitCode == 1)
        let text = TextReport.render(outcome.report, reportDirectory: nil)
        #expect(text.contains("VACUOUS rto/writes"))
        #expect(text.contains("Result: VACUOUS"))
    }

    @Test func theSameClientElsewhereFailsInstead() throws {
        let outcome = try Self.run(Self.scenario(
            client: "planner-dr",
            faults: "  - {name: lose-west, action: region-outage, target: us-west-2, at: 10m, duration: 10m}",
            expect: "  rto: {writes: 1m}"))
        #expect(Self.result(outcome, "rto/writes")?.status == .fail)
        #expect(outcome.report.verdict == "fail")
    }

    @Test func aFaultThatTouchesNothingTheWorkloadUsesDoesNotExerciseIt() throws {
        // us-west-2b holds the client host but not the database (us-west-2a) or the bucket's region as a whole.
        let outcome = try Self.run(Self.scenario(
            faults: "  - {name: lose-east, action: az-outage, target: us-east-1a, at: 10m, duration: 10m}",
            expect: "  rto: {writes: 1m}\n  rpo: {writes: 0s}\n  availability: {writes: 99%}"))
        for id in ["rto/writes", "rpo/writes", "availability/writes"] {
            let result = Self.result(outcome, id)
            #expect(result?.status == .vacuous, "\(id)")
            #expect(result?.detail.contains("writes") == true)
        }
        #expect(Self.result(outcome, "rto/writes")?.detail.contains("touched nothing writes depends on (planner, odas-catalog, us-west-2a)") == true)
    }

    @Test func aFaultOnTheDatabaseIsMeasured() throws {
        let outcome = try Self.run(Self.scenario(
            faults: "  - {name: lose-2a, action: az-outage, target: us-west-2a, at: 10m, duration: 10m}",
            expect: "  rto: {writes: 1m}"))
        #expect(Self.result(outcome, "rto/writes")?.status == .fail) // single-AZ database: down for 10 minutes
    }

    @Test func noFaultMeansNothingToRecoverFrom() throws {
        let outcome = try Self.run(Self.scenario(faults: "  []", expect: "  rto: {writes: 1m}\n  availability: {writes: 99%}"))
        #expect(Self.result(outcome, "rto/writes")?.status == .vacuous)
        #expect(Self.result(outcome, "rto/writes")?.measured == "no fault")
        // Without faults, availability is a steady-state measurement.
        #expect(Self.result(outcome, "availability/writes")?.status == .pass)
    }

    @Test func aScenarioWithoutExpectationsIsVacuousUnlessDeclared() throws {
        let bare = try Self.run(Self.scenario(faults: "  []", expect: "  {}"))
        #expect(bare.report.expectations.map(\.id) == ["scenario/expectations"])
        #expect(bare.report.expectations.first?.status == .vacuous)
        #expect(bare.report.exitCode == 1)
        let declared = try Self.run(Self.scenario(faults: "  []", expect: "  {}", declared: "expectVacuous: [scenario/expectations]"))
        #expect(declared.report.exitCode == 0)
        #expect(TextReport.render(declared.report, reportDirectory: nil).contains("XVAC"))
    }

    @Test func declaredVacuousThatHoldsIsAnUnexpectedPass() throws {
        let outcome = try Self.run(Self.scenario(
            faults: "  - {name: lose-2a, action: az-outage, target: us-west-2a, at: 10m, duration: 10s}",
            expect: "  rto: {writes: 10m}", declared: "expectVacuous: [rto/writes]"))
        #expect(Self.result(outcome, "rto/writes")?.status == .pass)
        #expect(outcome.report.exitCode == 1)
        #expect(JUnitReport.render(outcome.report).contains("declared expectVacuous, but it held"))
    }

    @Test func junitReportsAnUndeclaredVacuousAsAFailure() throws {
        let outcome = try Self.run(Self.scenario(faults: "  []", expect: "  rto: {writes: 1m}"))
        let xml = JUnitReport.render(outcome.report)
        #expect(xml.contains("type=\"vacuous\""))
        #expect(xml.contains("failures=\"1\""))
    }

    @Test func capacityThatNeverDroppedWasNotExercised() {
        let fault = FaultWindow(name: "lose-2a", start: .zero + .seconds(60), end: .zero + .seconds(120))
        let samples: [(at: SimInstant, inService: Int)] = [(.zero, 3), (.zero + .seconds(90), 3)]
        let result = Evaluation.capacity("nodes", target: .seconds(300), desired: 3, samples: samples, faults: [fault],
                                         end: .zero + .seconds(600))
        #expect(result.status == .vacuous)
        #expect(result.detail.contains("no replacement was needed"))
    }

    @Test func expectVacuousNamesOnlyExpectationsTheScenarioStates() {
        let text = Self.scenario(faults: "  []", expect: "  rto: {writes: 1m}", declared: "expectVacuous: [rto/nothing]")
        guard case .failure(let errors) = load(text) else { Issue.record("loaded"); return }
        #expect(errors.description.contains("rto/nothing"))
    }

    @Test func theShippedUntouchedNodeGroupIsDeclaredVacuous() throws {
        let scenario = try ScenarioLoader.load(path: Self.root.appendingPathComponent("scenarios/vacuous-capacity-untouched.yaml").path)
        let outcome = ScenarioRunner.run(scenario)
        let capacity = Self.result(outcome, "capacity/odas-nodes")
        #expect(capacity?.status == .vacuous)
        #expect(capacity?.detail.contains("capacity never dropped below 4") == true)
        #expect(outcome.report.exitCode == 0)
    }

    @Test func theShippedVacuousRegionOutageIsDeclaredSo() throws {
        let scenario = try ScenarioLoader.load(path: Self.root.appendingPathComponent("scenarios/vacuous-region-outage.yaml").path)
        let outcome = ScenarioRunner.run(scenario)
        #expect(Self.result(outcome, "rto/catalog-writes")?.status == .vacuous)
        #expect(Self.result(outcome, "rto/catalog-writes")?.detail.contains("client catalog-writes was down with us-west-2 from T+20m") == true)
        #expect(Self.result(outcome, "availability/catalog-writes")?.status == .vacuous)
        #expect(Self.result(outcome, "rto/catalog-writes-dr")?.status == .fail)
        #expect(outcome.report.exitCode == 0)
    }
}
