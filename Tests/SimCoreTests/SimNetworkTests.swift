import SimCore
import Testing

/// The simulated network: delivery under the fault model, latency, timeouts, determinism.
struct SimNetworkTests {
    /// Two hosts in us-west-2 (AZs a and b) and one in us-east-1.
    static func topology() -> FaultModel {
        var faults = FaultModel()
        faults.addAvailabilityZone("us-west-2a", region: "us-west-2")
        faults.addAvailabilityZone("us-west-2b", region: "us-west-2")
        faults.addAvailabilityZone("us-east-1a", region: "us-east-1")
        faults.addHost("client", in: .availabilityZone("us-west-2a"))
        faults.addHost("server", in: .availabilityZone("us-west-2b"))
        faults.addHost("far", in: .availabilityZone("us-east-1a"))
        return faults
    }

    struct Rig {
        var faults = SimNetworkTests.topology()
        var loop = EventLoop<NetworkEvent>()
        var network = SimNetwork<String>(random: SimRandom(seed: 7))
        let client: ProcessID
        let server: ProcessID
        let far: ProcessID
        /// What each process received, in order, with the instant.
        var log: [String] = []

        init() {
            client = network.register(name: "client", domain: .host("client"))
            server = network.register(name: "server", domain: .host("server"))
            far = network.register(name: "far", domain: .host("far"))
        }

        /// Runs until `limit`; servers echo every request after 10 ms.
        mutating func run(until limit: SimInstant) {
            while let (_, event) = loop.next(until: limit) {
                guard let arrival = network.handle(event, faults: faults, loop: &loop) else { continue }
                switch arrival.delivery {
                case .request(let call, _, let payload):
                    log.append("\(loop.now) \(network.name(of: arrival.process)) got \(payload)")
                    network.reply(to: call, "re:" + payload, after: .milliseconds(10), faults: faults, loop: &loop) { $0 }
                case .reply(_, let payload):
                    log.append("\(loop.now) \(network.name(of: arrival.process)) got \(payload)")
                case .timedOut(_, let reason):
                    log.append("\(loop.now) \(network.name(of: arrival.process)) timed out: \(reason)")
                }
            }
        }

        mutating func call(_ to: ProcessID, _ text: String, timeout: SimDuration = .seconds(1)) {
            _ = network.call(from: client, to: network.endpoint(to), text, timeout: timeout, faults: faults, loop: &loop) { $0 }
        }
    }

    @Test func aCallGetsItsReplyAfterTwoOneWayTripsAndTheServiceTime() {
        var rig = Rig()
        rig.call(rig.server, "ping")
        rig.run(until: .zero + .seconds(5))
        #expect(rig.log.count == 2)
        #expect(rig.log[0].hasSuffix("server got ping"))
        #expect(rig.log[1].hasSuffix("client got re:ping"))
        #expect(rig.network.pendingCallCount == 0)
        #expect(rig.network.deliveredCount == 2)
    }

    @Test func aRequestIntoADownDomainIsLostAndTheTimeoutSaysWhy() {
        var rig = Rig()
        rig.faults.apply(.outage(.availabilityZone("us-west-2b")))
        rig.call(rig.server, "ping", timeout: .seconds(2))
        rig.run(until: .zero + .seconds(5))
        #expect(rig.log == ["T+2s client timed out: az us-west-2b is down"])
        #expect(rig.network.lostCount == 1)
    }

    @Test func aPartitionThatStartsWhileTheAnswerTravelsDropsTheAnswer() {
        var rig = Rig()
        rig.call(rig.server, "ping")
        // Deliver the request, then cut the path before the answer arrives.
        rig.run(until: .zero + .milliseconds(5))
        #expect(rig.log.count == 1)
        let cut = rig.faults.apply(.partition(side: [.availabilityZone("us-west-2a")], peers: nil))
        rig.run(until: .zero + .seconds(5))
        #expect(rig.log.count == 2)
        #expect(rig.log[1] == "T+1s client timed out: answer lost: network partition \(cut)")
    }

    @Test func latencyFaultsAndRegionsAddToTheDelay() {
        var near = Rig(), slow = Rig(), far = Rig()
        slow.faults.apply(.latency(.host("server"), latency: .milliseconds(500)))
        near.call(near.server, "a")
        slow.call(slow.server, "a", timeout: .seconds(3))
        far.call(far.far, "a")
        for index in [0, 1, 2] {
            var rig = [near, slow, far][index]
            rig.run(until: .zero + .seconds(5))
            switch index {
            case 0: near = rig
            case 1: slow = rig
            default: far = rig
            }
        }
        func replyInstant(_ rig: Rig) -> String { String(rig.log[1].split(separator: " ")[0]) }
        // Same seed, same draws: the only differences are the fault and the region.
        let base = SimRandom(seed: 7)
        var client = base.stream("net.client")
        var server = base.stream("net.server")
        let model = LatencyModel()
        let oneWay = model.oneWay(from: .host("client"), to: .host("server"), faults: Self.topology(), random: &client)
            + model.oneWay(from: .host("server"), to: .host("client"), faults: Self.topology(), random: &server)
        #expect(replyInstant(near) == (SimInstant.zero + oneWay + .milliseconds(10)).description)
        #expect(replyInstant(slow) == (SimInstant.zero + oneWay + .milliseconds(1010)).description)
        #expect(far.log[1].hasSuffix("client got re:a"))
    }

    @Test func aReplyAfterTheTimeoutIsDropped() {
        var rig = Rig()
        rig.faults.apply(.latency(.host("server"), latency: .seconds(2)))
        rig.call(rig.server, "slow", timeout: .seconds(1))
        rig.run(until: .zero + .seconds(10))
        #expect(rig.log.count == 2)
        #expect(rig.log[0] == "T+1s client timed out: no answer in time: added latency 2s on host server")
        #expect(rig.log[1].hasSuffix("server got slow"))
    }

    @Test func theSameSeedGivesTheSameDeliveriesAtTheSameInstants() {
        func play() -> [String] {
            var rig = Rig()
            for index in 0..<50 {
                rig.call(index % 3 == 0 ? rig.far : rig.server, "m\(index)")
                rig.run(until: rig.loop.now + .milliseconds(3))
            }
            rig.run(until: .zero + .seconds(10))
            return rig.log
        }
        let first = play()
        #expect(first.count == 100)
        #expect(first == play())
    }
}
