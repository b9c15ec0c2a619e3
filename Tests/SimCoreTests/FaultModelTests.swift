import Testing
@testable import SimCore

@Suite struct FaultModelTests {
    func model() -> FaultModel {
        var model = FaultModel()
        for az in ["us-west-2a", "us-west-2b"] { model.addAvailabilityZone(az, region: "us-west-2") }
        model.addAvailabilityZone("us-east-1a", region: "us-east-1")
        model.addSubnet("subnet-a", availabilityZone: "us-west-2a")
        model.addHost("web-1", in: .subnet("subnet-a"))
        model.addHost("web-2", in: .availabilityZone("us-west-2b"))
        model.addHost("s3.us-west-2", in: .region("us-west-2"))
        model.addHost("east-1", in: .availabilityZone("us-east-1a"))
        return model
    }

    @Test func anAZOutageTakesDownEverythingInsideIt() {
        var faults = model()
        faults.apply(.outage(.availabilityZone("us-west-2a")))
        #expect(!faults.isUp(.host("web-1")))
        #expect(!faults.isUp(.subnet("subnet-a")))
        #expect(faults.isUp(.host("web-2")))
        #expect(faults.isUp(.region("us-west-2")))
        #expect(faults.downDomain(containing: .host("web-1")) == .availabilityZone("us-west-2a"))
    }

    @Test func regionalServicesSurviveAnAZOutageButNotARegionOutage() {
        var faults = model()
        let az = faults.apply(.outage(.availabilityZone("us-west-2a")))
        #expect(faults.isReachable(from: .host("web-2"), to: .host("s3.us-west-2")))
        faults.lift(az)
        faults.apply(.outage(.region("us-west-2")))
        #expect(faults.unreachability(from: .host("east-1"), to: .host("s3.us-west-2")) == .down(.region("us-west-2")))
    }

    @Test func liftingAFaultRestoresReachability() {
        var faults = model()
        let id = faults.apply(.crash(host: "web-2"))
        #expect(!faults.isReachable(from: .host("web-1"), to: .host("web-2")))
        faults.lift(id)
        #expect(faults.isReachable(from: .host("web-1"), to: .host("web-2")))
    }

    @Test func aPartitionWithPeersCutsOnlyBetweenTheTwoSides() {
        var faults = model()
        let id = faults.apply(.partition(side: [.region("us-east-1")], peers: [.availabilityZone("us-west-2a")]))
        #expect(faults.unreachability(from: .host("east-1"), to: .host("web-1")) == .partitioned(id))
        #expect(faults.unreachability(from: .host("web-1"), to: .host("east-1")) == .partitioned(id))
        #expect(faults.isReachable(from: .host("east-1"), to: .host("web-2")))
        #expect(faults.isReachable(from: .host("web-1"), to: .host("web-2")))
    }

    @Test func aPartitionWithoutPeersIsolatesTheSideFromEverything() {
        var faults = model()
        faults.apply(.partition(side: [.availabilityZone("us-west-2b")], peers: nil))
        #expect(!faults.isReachable(from: .host("web-2"), to: .host("s3.us-west-2")))
        #expect(!faults.isReachable(from: .host("web-1"), to: .host("web-2")))
        #expect(faults.isReachable(from: .host("web-1"), to: .host("s3.us-west-2")))
    }

    @Test func latencyDegradationsAddUp() {
        var faults = model()
        faults.apply(.latency(.availabilityZone("us-west-2a"), latency: .milliseconds(100)))
        faults.apply(.latency(.region("us-west-2"), latency: .milliseconds(20)))
        #expect(faults.addedLatency(from: .host("web-1"), to: .host("east-1")) == .milliseconds(120))
        #expect(faults.addedLatency(from: .host("east-1"), to: .host("east-1")) == .zero)
        #expect(faults.isReachable(from: .host("web-1"), to: .host("east-1")))
    }

    @Test func ancestryAndContainmentFollowTheHierarchy() {
        let faults = model()
        #expect(faults.ancestry(of: .host("web-1")) == [.host("web-1"), .subnet("subnet-a"), .availabilityZone("us-west-2a"), .region("us-west-2")])
        #expect(faults.region(of: .host("web-1")) == "us-west-2")
        #expect(faults.availabilityZone(of: .host("s3.us-west-2")) == nil)
        #expect(faults.isWithin(.host("web-2"), .region("us-west-2")))
    }
}
