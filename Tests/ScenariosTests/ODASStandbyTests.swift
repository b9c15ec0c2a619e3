import Foundation
import Testing
@testable import Scenarios
import SimCore

/// Two ODAS clusters in two regions: a standby that reads the catalog from
/// the Aurora Global Database's secondary and the datasets from the replica
/// bucket with its own node role, clients that find planners through a
/// Route 53 failover record whose health checks probe the planner Services,
/// and the loader's checks of the `standby` section.
@Suite struct ODASStandbyTests {
    /// West (primary, planners only in us-west-2a) and east (standby); the
    /// east role may read the replica bucket only.
    static func scenario(workloads: String, faults: String = "", duration: String = "14m") -> String {
        """
        name: odas-two-regions
        seed: 3
        duration: \(duration)
        topology:
          regions:
            - {name: us-west-2, azs: [us-west-2a, us-west-2b]}
            - {name: us-east-1, azs: [us-east-1a, us-east-1b]}
          hosts: [{name: emr-east, az: us-east-1b}]
        buckets: [{name: okera-data, region: us-west-2, replicateTo: us-east-1, replicaBucket: okera-data-east}]
        iam:
          roles:
            - name: west-node
              trust: ec2
              policies: [{Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::okera-data/*"}]}]
            - name: east-node
              trust: ec2
              policies: [{Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::okera-data-east/*"}]}]
        kubernetes:
          nodes: [{az: us-west-2a, count: 1, cpu: "16", memory: 64Gi}, {az: us-west-2b, count: 1, cpu: "16", memory: 64Gi}]
        database: {identifier: catalog-db, engine: aurora-mysql, region: us-west-2, primaryAZ: us-west-2a, readerAZs: [us-west-2b], globalSecondary: us-east-1}
        dns:
          zone: odas.example.com
          healthChecks:
            - {name: west, target: west/odas-planner}
            - {name: east, target: east/odas-planner}
          records:
            - {name: planner.odas.example.com, ttl: 30s, target: west/odas-planner, failover: PRIMARY, healthCheck: west}
            - {name: planner.odas.example.com, ttl: 30s, target: east/odas-planner, failover: SECONDARY, healthCheck: east}
        odas:
          name: west
          nodeRole: west-node
          services: {planner: {replicas: 1, zones: [us-west-2a]}, worker: 1, catalog: 1}
          standby:
            name: east
            region: us-east-1
            nodeRole: east-node
            nodes: [{az: us-east-1a, count: 1, cpu: "16", memory: 64Gi}]
            services: {planner: 1, worker: 1, catalog: 1}
          users: [{name: alice, groups: [analysts]}, {name: admin, groups: [admins]}]
          roles: [{name: analyst, groups: [analysts]}, {name: root, groups: [admins]}]
          datasets:
            - {name: sales.tx, bucket: okera-data, prefix: tx/, files: 2, rowsPerFile: 10, columns: {id: bigint, ssn: string}, masks: [{column: ssn, kind: hash}]}
          grants:
            - {role: root, on: server, privilege: ALL}
            - {role: analyst, on: sales.tx, columns: [id, ssn]}
        workload:
        \(workloads)
        \(faults)
        """
    }

    static func run(_ text: String) throws -> ScenarioRunner.Outcome {
        ScenarioRunner.run(try ScenarioLoader.load(data: Data(text.utf8), file: "odas-two-regions.yaml"))
    }

    static func loadErrors(_ text: String) -> String {
        do {
            _ = try ScenarioLoader.load(data: Data(text.utf8), file: "two.yaml")
            return ""
        } catch {
            return error.errors.map(\.description).joined(separator: "\n")
        }
    }

    @Test func theStandbyServesScansFromTheReplicaBucketWithItsOwnRole() throws {
        let outcome = try Self.run(Self.scenario(workloads: """
              - {name: east-scans, kind: scan, as: alice, dataset: sales.tx, planners: service, cluster: east, from: emr-east, rate: 1/s, start: 1m}
            """, duration: "4m"))
        let scans = outcome.history.operations(of: "east-scans")
        #expect(!scans.isEmpty)
        // The east role cannot read okera-data: success means the workers read okera-data-east.
        #expect(scans.allSatisfy { $0.outcome == .ok }, "\(scans.compactMap(\.error).prefix(2))")
        #expect(scans.allSatisfy { ($0.value ?? "").contains("from east/odas-planner-") })
        #expect(scans.first?.scan?.maskedColumns == ["ssn"])
        let timeline = outcome.report.timeline.map(\.text)
        #expect(timeline.contains { $0.hasPrefix("ODAS cluster west (us-west-2) ready: 1 planner, 1 worker, 1 catalog") })
        #expect(timeline.contains { $0.hasPrefix("ODAS cluster east (us-east-1) ready: 1 planner, 1 worker, 1 catalog") })
    }

    @Test func standbyPlannersAuthorizeFromTheGlobalSecondaryWhileThePrimaryRegionIsDown() throws {
        let outcome = try Self.run(Self.scenario(workloads: """
              - {name: east-scans, kind: scan, as: alice, dataset: sales.tx, cluster: east, from: emr-east, rate: 1/s, start: 1m}
              - {name: east-writes, kind: catalog-write, as: admin, cluster: east, from: emr-east, rate: 6/m, start: 1m}
            """, faults: "faults: [{name: lose-west, action: region-outage, target: us-west-2, at: 5m}]", duration: "10m"))
        let after = SimInstant.zero + .minutes(6)
        let scans = outcome.history.operations(of: "east-scans").filter { $0.invoked > after }
        #expect(!scans.isEmpty && scans.allSatisfy { $0.outcome == .ok }, "\(scans.compactMap(\.error).prefix(2))")
        // Writes need the writer, which is in the lost region until someone promotes us-east-1.
        let writes = outcome.history.operations(of: "east-writes").filter { $0.invoked > after }
        #expect(!writes.isEmpty && writes.allSatisfy { $0.outcome != .ok })
        #expect(writes.contains { ($0.error ?? "").contains("region us-west-2 is down") })
    }

    @Test func theHealthCheckOfAPlannerServiceFailsWhenItHasNoReadyEndpoint() throws {
        // us-west-2a holds the only west planner; the region stays up, so
        // only the Service's empty endpoints can tell Route 53 to fail over.
        let outcome = try Self.run(Self.scenario(workloads: """
              - {name: scans, kind: scan, as: alice, dataset: sales.tx, planners: {dns: planner.odas.example.com}, from: emr-east, rate: 1/s, start: 1m}
            """, faults: "faults: [{name: lose-2a, action: az-outage, target: us-west-2a, at: 4m, duration: 6m}]"))
        let timeline = outcome.report.timeline.map(\.text)
        #expect(timeline.contains { $0.contains("health check west unhealthy") }, "\(timeline)")
        let scans = outcome.history.operations(of: "scans")
        let before = scans.filter { $0.invoked < .zero + .minutes(4) && $0.outcome == .ok }
        #expect(!before.isEmpty && before.allSatisfy { ($0.value ?? "").contains("from west/") })
        let during = scans.filter { $0.invoked > .zero + .minutes(7) && $0.invoked < .zero + .minutes(10) && $0.outcome == .ok }
        #expect(!during.isEmpty && during.allSatisfy { ($0.value ?? "").contains("from east/") }, "\(during.prefix(2).map(\.value))")
        #expect(scans.contains { ($0.error ?? "").contains("planner.odas.example.com → west/odas-planner") })
    }

    @Test func theStandbySectionIsChecked() {
        let base = Self.scenario(workloads: "  - {name: s, kind: scan, as: alice, dataset: sales.tx, from: emr-east, rate: 1/s}")
        let sameRegion = Self.loadErrors(base.replacingOccurrences(of: "    region: us-east-1\n", with: "    region: us-west-2\n"))
        #expect(sameRegion.contains("another region than the primary"), "\(sameRegion)")
        let strayNode = Self.loadErrors(base.replacingOccurrences(of: "nodes: [{az: us-east-1a, count: 1", with: "nodes: [{az: us-west-2b, count: 1"))
        #expect(strayNode.contains("not in the standby's region us-east-1"), "\(strayNode)")
        let badTarget = Self.loadErrors(base.replacingOccurrences(of: "target: east/odas-planner, failover", with: "target: north/odas-planner, failover"))
        #expect(badTarget.contains("north/odas-planner") && badTarget.contains("two.yaml:"), "\(badTarget)")
        let badCluster = Self.loadErrors(base.replacingOccurrences(of: "from: emr-east, rate: 1/s}", with: "cluster: south, from: emr-east, rate: 1/s}"))
        #expect(badCluster.contains("south") && badCluster.contains("ODAS cluster"), "\(badCluster)")
        let badName = Self.loadErrors(base.replacingOccurrences(of: "from: emr-east, rate: 1/s}", with: "planners: {dns: nope.odas.example.com}, from: emr-east, rate: 1/s}"))
        #expect(badName.contains("nope.odas.example.com"), "\(badName)")
        #expect(Self.loadErrors(base).isEmpty, "\(Self.loadErrors(base))")
    }

    @Test func aHealthCheckFailureInjectedLiveSendsClientsToTheStandbyUntilLifted() throws {
        let text = Self.scenario(workloads: """
              - {name: scans, kind: scan, as: alice, dataset: sales.tx, planners: {dns: planner.odas.example.com}, from: emr-east, rate: 1/s, start: 30s}
            """, duration: "30m")
        var live = LiveWorld(scenario: try ScenarioLoader.load(data: Data(text.utf8), file: "live.yaml"))
        live.advance(to: .zero + .minutes(2))
        let id = try live.injectFault(action: "dns-health-check-failure", target: "west", duration: nil)
        #expect(live.activeFaults.contains { $0.id == id && $0.description == "dns-health-check-failure west" })
        live.advance(to: .zero + .minutes(6))
        let lifted = live.liftFault(id)
        #expect(lifted)
        live.advance(to: .zero + .minutes(10))
        let scans = live.world.history.operations(of: "scans").filter { $0.outcome == .ok }
        #expect(scans.contains { $0.invoked > .zero + .minutes(4) && $0.invoked < .zero + .minutes(6) && ($0.value ?? "").contains("from east/") })
        #expect(scans.filter { $0.invoked > .zero + .minutes(9) }.allSatisfy { ($0.value ?? "").contains("from west/") })
        #expect(!live.activeFaults.contains { $0.id == id })
    }
}
