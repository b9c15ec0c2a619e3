import Testing
@testable import AWSSim
import SimCore

@Suite struct AutoScalingTests {
    struct World {
        var ec2 = EC2Service(random: SimRandom(seed: 1))
        var asg = AutoScalingService(random: SimRandom(seed: 2))
        var faults = FaultModel()
        var loop = EventLoop<AutoScalingEvent>()

        init() throws {
            var subnets: [GroupSubnet] = []
            for (index, az) in ["us-west-2a", "us-west-2b", "us-west-2c"].enumerated() {
                faults.addAvailabilityZone(az, region: "us-west-2")
                faults.addSubnet("subnet-\(az)", availabilityZone: az)
                subnets.append(GroupSubnet(id: "subnet-\(az)", availabilityZone: az,
                                           cidr: try #require(IPv4Block("10.20.\(index * 16).0/20"))))
            }
            asg.createAutoScalingGroup(name: "nodes", region: "us-west-2", subnets: subnets, minSize: 6, maxSize: 9,
                                       desiredCapacity: 6, template: LaunchTemplate(instanceType: "m5.xlarge", securityGroups: [], instanceProfile: nil),
                                       ec2: &ec2, faults: faults, now: .zero)
            register()
        }

        mutating func register() {
            for notice in asg.notices {
                if case let .launched(_, _, name, _, subnet) = notice { faults.addHost(name, in: .subnet(subnet)) }
            }
            asg.notices.removeAll()
            for item in asg.outbox { loop.schedule(item.event, at: item.at) }
            asg.outbox.removeAll()
        }

        mutating func run(until end: SimInstant) {
            while let (instant, event) = loop.next(until: end) {
                asg.handle(event, ec2: &ec2, faults: faults, now: instant)
                register()
            }
        }

        func perAZ() -> [String: Int] { asg.groups["nodes"].map { asg.distribution($0, ec2: ec2) } ?? [:] }
    }

    @Test func theGroupStartsBalancedAcrossItsAZs() throws {
        let world = try World()
        #expect(world.perAZ() == ["us-west-2a": 2, "us-west-2b": 2, "us-west-2c": 2])
        #expect(world.asg.inService("nodes", ec2: world.ec2) == 6)
    }

    @Test func lostInstancesAreReplacedInHealthyAZsThenRebalanced() throws {
        var world = try World()
        let outage = world.faults.apply(.outage(.availabilityZone("us-west-2a")))
        world.ec2.faultsChanged(world.faults)
        #expect(world.asg.inService("nodes", ec2: world.ec2) == 4)
        world.run(until: SimInstant.zero + .minutes(5))
        #expect(world.asg.inService("nodes", ec2: world.ec2) == 6)
        #expect(world.perAZ()["us-west-2a"] == 0)
        world.faults.lift(outage)
        world.ec2.faultsChanged(world.faults)
        world.run(until: SimInstant.zero + .minutes(15))
        #expect(world.perAZ() == ["us-west-2a": 2, "us-west-2b": 2, "us-west-2c": 2])
        #expect(world.asg.inService("nodes", ec2: world.ec2) == 6)
    }

    @Test func launchesIntoAnImpairedAZFail() throws {
        var world = try World()
        world.faults.apply(.outage(.availabilityZone("us-west-2a")))
        world.ec2.faultsChanged(world.faults)
        var notices: [AutoScalingNotice] = []
        while let (instant, event) = world.loop.next(until: SimInstant.zero + .minutes(2)) {
            world.asg.handle(event, ec2: &world.ec2, faults: world.faults, now: instant)
            notices += world.asg.notices
            world.register()
        }
        #expect(notices.contains { if case .launchFailed(_, "us-west-2a", _) = $0 { return true }; return false })
        #expect(!notices.contains { if case .launched(_, _, _, "us-west-2a", _) = $0 { return true }; return false })
    }

    @Test func theEKSControlPlaneNeedsTwoOfThreeAZs() {
        var eks = EKSService()
        var faults = FaultModel()
        for az in ["a", "b", "c"] { faults.addAvailabilityZone("us-west-2\(az)", region: "us-west-2") }
        eks.createCluster(name: "odas", region: "us-west-2", controlPlaneAZs: ["us-west-2a", "us-west-2b", "us-west-2c"], nodeGroups: [])
        #expect(eks.isControlPlaneAvailable("odas", faults: faults))
        faults.apply(.outage(.availabilityZone("us-west-2a")))
        #expect(eks.isControlPlaneAvailable("odas", faults: faults))
        faults.apply(.outage(.availabilityZone("us-west-2b")))
        #expect(!eks.isControlPlaneAvailable("odas", faults: faults))
        #expect(eks.clusters["odas"]?.endpoint.hasSuffix(".us-west-2.eks.amazonaws.com") == true)
    }
}
