import Testing
import SimCore
@testable import AWSSim

/// Elastic Load Balancing: validation with AWS's error codes, target health
/// on virtual time, what the DNS name answers (zones without a healthy target
/// leave it; failing open when none has one), routing per zone, Route 53
/// aliases of the DNS name, and the CloudFormation resource types.
@Suite struct ELBv2Tests {
    static let zones = [ELBv2Zone(subnet: "subnet-a", availabilityZone: "us-west-2a", address: "10.0.0.10"),
                        ELBv2Zone(subnet: "subnet-b", availabilityZone: "us-west-2b", address: "10.0.1.10")]

    /// A network load balancer with one TCP listener and two targets, one per zone.
    static func balancer() throws -> (ELBv2Service, ELBv2LoadBalancer, ELBv2TargetGroup) {
        var elb = ELBv2Service(random: SimRandom(seed: 3))
        let balancer = try elb.createLoadBalancer(name: "odas-planner", region: "us-west-2", subnets: zones, provisioning: .seconds(120), now: .zero)
        let group = try elb.createTargetGroup(name: "odas-planner", protocol: "TCP", port: 31000, vpcId: nil, region: "us-west-2", now: .zero)
        _ = try elb.createListener(loadBalancer: balancer.arn, port: 12050, protocol: "TCP", targetGroup: group.arn)
        try elb.registerTargets(group.arn, [("i-a", nil, "us-west-2a"), ("i-b", nil, "us-west-2b")])
        return (elb, balancer, group)
    }

    /// ELB and the event loop its background work runs on.
    struct Driver {
        var elb: ELBv2Service
        var loop = EventLoop<ELBv2Event>()

        /// Runs ELB's work up to `until`, with `down` the targets that do not answer.
        mutating func run(until: SimInstant, down: Set<String> = []) {
            while true {
                for (at, event) in elb.outbox { _ = loop.schedule(event, at: at) }
                elb.outbox.removeAll()
                guard let (_, event) = loop.next(until: until) else { return }
                elb.handle(event, now: loop.now) { target, _ in !down.contains(target.id) }
            }
        }
    }

    @Test func namesARNsAndDNSNamesFollowAWS() throws {
        let (_, balancer, group) = try Self.balancer()
        #expect(balancer.arn.hasPrefix("arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/net/odas-planner/"))
        #expect(balancer.dnsName.hasPrefix("odas-planner-") && balancer.dnsName.hasSuffix(".elb.us-west-2.amazonaws.com"))
        #expect(balancer.canonicalHostedZoneId == "Z18D5FSROUN65G")
        #expect(balancer.crossZone == false, "network load balancers start with cross-zone load balancing off")
        #expect(group.arn.contains(":targetgroup/odas-planner/"))
        #expect(group.healthCheckIntervalSeconds == 30 && group.healthyThresholdCount == 5 && group.unhealthyThresholdCount == 2)
    }

    @Test func badRequestsGetAWSErrors() throws {
        var (elb, balancer, group) = try Self.balancer()
        #expect(throws: ELBv2Error.self) { try elb.createLoadBalancer(name: "-bad", region: "us-west-2", subnets: Self.zones, provisioning: .zero, now: .zero) }
        #expect(throws: ELBv2Error.self) { try elb.createLoadBalancer(name: String(repeating: "a", count: 33), region: "us-west-2", subnets: Self.zones, provisioning: .zero, now: .zero) }
        do {
            _ = try elb.createLoadBalancer(name: "two-in-a", region: "us-west-2", subnets: [Self.zones[0], ELBv2Zone(subnet: "subnet-a2", availabilityZone: "us-west-2a", address: "10.0.2.9")],
                                           provisioning: .zero, now: .zero)
            Issue.record("two subnets in one zone were accepted")
        } catch { #expect(error.code == "InvalidConfigurationRequest") }
        do {
            _ = try elb.createLoadBalancer(name: "odas-planner", scheme: "internal", region: "us-west-2", subnets: Self.zones, provisioning: .zero, now: .zero)
            Issue.record("a name taken with other settings was accepted")
        } catch { #expect(error.code == "DuplicateLoadBalancerName") }
        let same = try elb.createLoadBalancer(name: "odas-planner", region: "us-west-2", subnets: Self.zones, provisioning: .zero, now: .zero)
        #expect(same.arn == balancer.arn, "the same request again is idempotent")
        do { _ = try elb.createListener(loadBalancer: balancer.arn, port: 12050, protocol: "TCP", targetGroup: group.arn); Issue.record("duplicate listener") }
        catch { #expect(error.code == "DuplicateListener") }
        do { try elb.deleteTargetGroup(group.arn); Issue.record("a group in use was deleted") } catch { #expect(error.code == "ResourceInUse") }
        do { try elb.registerTargets("arn:nope", [("i-x", nil, "us-west-2a")]); Issue.record("unknown group") } catch { #expect(error.code == "TargetGroupNotFound") }
        do {
            _ = try elb.createTargetGroup(name: "slow", protocol: "TCP", port: 80, vpcId: nil, region: "us-west-2", intervalSeconds: 400, now: .zero)
            Issue.record("interval 400 accepted")
        } catch { #expect(error.code == "ValidationError") }
        elb.deleteLoadBalancer(balancer.arn)
        #expect(elb.listeners.isEmpty, "a load balancer's listeners go with it")
        try elb.deleteTargetGroup(group.arn)
        #expect(elb.targetGroups.isEmpty)
    }

    @Test func targetsBecomeHealthyAfterFiveChecksAndUnhealthyAfterTwo() throws {
        let (service, balancer, group) = try Self.balancer()
        var driver = Driver(elb: service)
        #expect(driver.elb.dnsAnswer(balancer.dnsName) == nil, "nothing answers while provisioning")
        driver.run(until: .zero + .seconds(149))
        #expect(driver.elb.targetGroups[group.arn]?.targets.allSatisfy { $0.state == .initial && $0.reason == "Elb.RegistrationInProgress" } == true)
        driver.run(until: .zero + .seconds(150))
        #expect(driver.elb.targetGroups[group.arn]?.targets.allSatisfy { $0.state == .healthy } == true, "5 checks 30 s apart")
        #expect(driver.elb.dnsAnswer(balancer.dnsName) == ELBv2DNSAnswer(addresses: ["10.0.0.10", "10.0.1.10"], healthy: true))
        // us-west-2a's target stops answering: two failed checks later its zone leaves DNS, and new connections there are reset.
        driver.run(until: .zero + .seconds(179), down: ["i-a"])
        #expect(driver.elb.targetGroups[group.arn]?.targets.first?.state == .healthy, "one failed check is not enough")
        driver.run(until: .zero + .seconds(210), down: ["i-a"])
        #expect(driver.elb.targetGroups[group.arn]?.targets.first?.reason == "Target.FailedHealthChecks")
        #expect(driver.elb.dnsAnswer(balancer.dnsName) == ELBv2DNSAnswer(addresses: ["10.0.1.10"], healthy: true))
        #expect(driver.elb.routableTargets(loadBalancer: balancer.arn, zone: "us-west-2a", port: 12050).isEmpty)
        #expect(driver.elb.routableTargets(loadBalancer: balancer.arn, zone: "us-west-2b", port: 12050).map(\.id) == ["i-b"])
        // Both down: the load balancer fails open — every zone in DNS, every target tried — and says it is unhealthy.
        driver.run(until: .zero + .seconds(300), down: ["i-a", "i-b"])
        #expect(driver.elb.dnsAnswer(balancer.dnsName) == ELBv2DNSAnswer(addresses: ["10.0.0.10", "10.0.1.10"], healthy: false))
        #expect(driver.elb.routableTargets(loadBalancer: balancer.arn, zone: "us-west-2a", port: 12050).map(\.id) == ["i-a", "i-b"])
        // With cross-zone load balancing, one healthy target keeps every zone in DNS.
        driver.run(until: .zero + .seconds(450), down: ["i-a"])
        try driver.elb.setCrossZone(balancer.arn, true)
        #expect(driver.elb.dnsAnswer(balancer.dnsName)?.addresses.count == 2)
        #expect(driver.elb.routableTargets(loadBalancer: balancer.arn, zone: "us-west-2a", port: 12050).map(\.id) == ["i-b"])
    }

    @Test func deregisteredTargetsDrainForTheDelayThenLeave() throws {
        let (service, _, group) = try Self.balancer()
        var driver = Driver(elb: service)
        driver.run(until: .zero + .seconds(150))
        try driver.elb.deregisterTargets(group.arn, ids: ["i-a"], now: .zero + .seconds(150))
        #expect(driver.elb.targetGroups[group.arn]?.targets.first?.state == .draining)
        driver.run(until: .zero + .seconds(449))
        #expect(driver.elb.targetGroups[group.arn]?.targets.count == 2, "300 s deregistration delay")
        driver.run(until: .zero + .seconds(480))
        #expect(driver.elb.targetGroups[group.arn]?.targets.map(\.id) == ["i-b"])
    }

    @Test func aRoute53AliasAnswersTheLoadBalancersHealthyZones() throws {
        let (service, balancer, _) = try Self.balancer()
        var driver = Driver(elb: service)
        driver.run(until: .zero + .seconds(150))
        driver.run(until: .zero + .seconds(210), down: ["i-a"])
        let elb = driver.elb
        var route53 = Route53Service(random: SimRandom(seed: 1))
        _ = route53.createHostedZone(name: "odas.example.com")
        route53.upsert(Route53Record(name: "planner.odas.example.com", type: "A", ttl: .seconds(300), target: balancer.dnsName, routing: .simple,
                                     aliasTarget: balancer.dnsName, evaluateTargetHealth: true))
        let unpublished = route53.authoritativeAnswer(name: "planner.odas.example.com")
        #expect(unpublished == nil, "not published yet")
        let answer = try #require(elb.dnsAnswer(balancer.dnsName))
        route53.publish(balancer.dnsName, .init(addresses: answer.addresses, healthy: answer.healthy, ttl: .seconds(60)))
        let answered = route53.authoritativeAnswer(name: "planner.odas.example.com")
        let record = try #require(answered)
        #expect(record.target == "10.0.1.10" && record.ttl == .seconds(60), "an alias answers with the aliased name's TTL")
        let resolved = route53.resolve(name: "planner.odas.example.com", client: "emr", now: .zero)
        let cached = try #require(resolved)
        #expect(cached.expires == .zero + .seconds(60))
    }
}

/// The ELBv2 resource types of CloudFormation.
@Suite struct CloudFormationELBv2Tests {
    static let template = """
        Resources:
          Vpc:
            Type: AWS::EC2::VPC
            Properties: {CidrBlock: 10.50.0.0/16}
          SubnetA:
            Type: AWS::EC2::Subnet
            Properties: {VpcId: !Ref Vpc, CidrBlock: 10.50.0.0/24, AvailabilityZone: !Select [0, !GetAZs ""]}
          SubnetB:
            Type: AWS::EC2::Subnet
            Properties: {VpcId: !Ref Vpc, CidrBlock: 10.50.1.0/24, AvailabilityZone: !Select [1, !GetAZs ""]}
          Web:
            Type: AWS::EC2::Instance
            Properties: {ImageId: ami-0abcdef1234567890, SubnetId: !Ref SubnetA}
          Balancer:
            Type: AWS::ElasticLoadBalancingV2::LoadBalancer
            Properties:
              Type: network
              Scheme: internal
              Subnets: [!Ref SubnetA, !Ref SubnetB]
              LoadBalancerAttributes: [{Key: load_balancing.cross_zone.enabled, Value: "true"}]
          Targets:
            Type: AWS::ElasticLoadBalancingV2::TargetGroup
            Properties:
              Protocol: TCP
              Port: 12050
              VpcId: !Ref Vpc
              HealthCheckIntervalSeconds: 10
              HealthyThresholdCount: 3
              Targets: [{Id: !Ref Web}]
          Listener:
            Type: AWS::ElasticLoadBalancingV2::Listener
            Properties:
              LoadBalancerArn: !Ref Balancer
              Port: 12050
              Protocol: TCP
              DefaultActions: [{Type: forward, TargetGroupArn: !Ref Targets}]
        Outputs:
          DNSName: {Value: !GetAtt Balancer.DNSName}
          Zone: {Value: !GetAtt Balancer.CanonicalHostedZoneID}
          FullName: {Value: !GetAtt Balancer.LoadBalancerFullName}
        """

    @Test func aNetworkLoadBalancerIsCreatedAndDeletedWithItsStack() throws {
        var driver = CloudFormationStackTests.Driver()
        _ = try driver.create(Self.template)
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .createComplete, "\(driver.events("odas"))")
        let elb = driver.services.elbv2
        let balancer = try #require(elb.loadBalancers.values.first)
        #expect(balancer.type == "network" && balancer.scheme == "internal" && balancer.crossZone)
        #expect(balancer.name.count <= 32 && balancer.name.hasPrefix("odas-Balancer-"))
        #expect(balancer.zones.map(\.availabilityZone) == ["us-west-2a", "us-west-2b"])
        #expect(balancer.zones.allSatisfy { $0.address.hasPrefix("10.50.") })
        #expect(stack.outputs.first { $0.key == "DNSName" }?.value == balancer.dnsName)
        #expect(stack.outputs.first { $0.key == "Zone" }?.value == "Z18D5FSROUN65G")
        #expect(stack.outputs.first { $0.key == "FullName" }?.value.hasPrefix("net/odas-Balancer-") == true)
        let group = try #require(elb.targetGroups.values.first)
        #expect(group.healthCheckIntervalSeconds == 10 && group.healthyThresholdCount == 3)
        #expect(group.targets.map(\.id) == [stack.resources["Web"]?.physicalId])
        #expect(elb.loadBalancerArns(of: group.arn) == [balancer.arn])
        try driver.cfn.deleteStack("odas", now: driver.loop.now)
        driver.drain()
        #expect(driver.stack("odas") == nil, "\(driver.events("odas"))")
        #expect(driver.services.elbv2.loadBalancers.isEmpty && driver.services.elbv2.targetGroups.isEmpty && driver.services.elbv2.listeners.isEmpty)
    }

    @Test func aListenerRuleIsRefusedAsUnsupported() throws {
        var driver = CloudFormationStackTests.Driver()
        let body = Self.template.replacingOccurrences(of: "\nOutputs:", with: """

              Rule:
                Type: AWS::ElasticLoadBalancingV2::ListenerRule
                Properties: {ListenerArn: !Ref Listener, Priority: 1, Actions: [], Conditions: []}
            Outputs:
            """)
        #expect(body.contains("ListenerRule"))
        let error = #expect(throws: CFNError.self) { try driver.create(body) }
        #expect(error?.message.contains("AWS::ElasticLoadBalancingV2::ListenerRule") == true, "\(error?.message ?? "")")
    }
}
