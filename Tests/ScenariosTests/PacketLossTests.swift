import Foundation
import Testing
@testable import Scenarios
import SimCore

/// `network-packet-loss`: TCP resends what is dropped, so loss shows as
/// latency (200 ms, then doubling), and a message whose packets keep
/// getting dropped is given up after 15 resends.
@Suite struct PacketLossTests {
    static func run(loss: String) throws -> ScenarioRunner.Outcome {
        let text = """
            name: packet-loss
            seed: 9
            duration: 8m
            topology:
              regions: [{name: us-west-2, azs: [us-west-2a, us-west-2b]}]
              hosts: [{name: app, az: us-west-2a}]
            buckets:
              - {name: data, region: us-west-2, objects: 50}
            workload:
              - {name: reads, kind: s3-get, bucket: data, from: app, rate: 10/s}
            faults:
              - {name: lossy, action: network-packet-loss, target: us-west-2a, loss: \(loss), at: 2m, duration: 3m}
            expect:
              availability: {reads: 99%}
            """
        return ScenarioRunner.run(try ScenarioLoader.load(data: Data(text.utf8), file: "packet-loss.yaml"))
    }

    static func medianLatency(_ run: ScenarioRunner.Outcome, from: Int, to: Int) -> SimDuration {
        let latencies = run.history.operations(of: "reads").filter { op in
            op.invoked >= .zero + .minutes(Int64(from)) && op.invoked < .zero + .minutes(Int64(to)) && op.outcome == .ok
        }.compactMap { op in op.completed.map { $0 - op.invoked } }.sorted()
        return latencies.isEmpty ? .zero : latencies[latencies.count / 2]
    }

    @Test func lossBecomesLatencyAndRareTimeouts() throws {
        let run = try Self.run(loss: "50%")
        let before = Self.medianLatency(run, from: 0, to: 2), during = Self.medianLatency(run, from: 2, to: 5)
        #expect(during > before + .milliseconds(150), "before \(before), during \(during)")
        let failed = run.history.operations(of: "reads").filter { $0.outcome == .failed }
        #expect(!failed.isEmpty)
        #expect(failed.allSatisfy { ($0.error ?? "").contains("packet loss 50% on az us-west-2a") }, "\(failed.first?.error ?? "")")
        #expect(Self.medianLatency(run, from: 6, to: 8) < .milliseconds(150))
    }

    @Test func totalLossGivesTheConnectionUp() throws {
        let run = try Self.run(loss: "100%")
        let during = run.history.operations(of: "reads").filter { $0.invoked >= .zero + .minutes(2) && $0.invoked < .zero + .minutes(4) }
        #expect(during.allSatisfy { $0.outcome == .failed })
        #expect(during.first?.error?.contains("connection given up after 15 TCP retransmissions") == true)
    }

    @Test func theLoaderWantsALoss() {
        for (fault, message) in [("{action: network-packet-loss, target: us-west-2a, at: 1m}", "loss"),
                                 ("{action: network-latency, target: us-west-2a, latency: 1s, loss: 5%, at: 1m}", "loss applies only to network-packet-loss")] {
            let text = "name: x\nduration: 10m\ntopology: {regions: [{name: us-west-2, azs: [us-west-2a]}]}\nfaults:\n  - \(fault)\n"
            do {
                _ = try ScenarioLoader.load(data: Data(text.utf8), file: "x.yaml")
                Issue.record("accepted \(fault)")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }
}
