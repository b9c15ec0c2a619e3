import Testing
@testable import AWSSim
import SimCore

@Suite struct Route53ServiceTests {
    func service() -> (Route53Service, FaultModel) {
        var faults = FaultModel()
        faults.addAvailabilityZone("us-west-2a", region: "us-west-2")
        faults.addAvailabilityZone("us-west-2b", region: "us-west-2")
        faults.addHost("web-a", in: .availabilityZone("us-west-2a"))
        faults.addHost("web-b", in: .availabilityZone("us-west-2b"))
        var r53 = Route53Service(random: SimRandom(seed: 1))
        r53.createHealthCheck(id: "hc-a", target: .host("web-a"), requestInterval: .seconds(30), failureThreshold: 3, now: .zero)
        r53.upsert(Route53Record(name: "svc.example.com", type: "A", ttl: .seconds(60), target: "web-a",
                                 routing: .failover(primary: true), setIdentifier: "p", healthCheck: "hc-a"))
        r53.upsert(Route53Record(name: "svc.example.com", type: "A", ttl: .seconds(60), target: "web-b",
                                 routing: .failover(primary: false), setIdentifier: "s"))
        return (r53, faults)
    }

    /// Runs the service's own probes until `end`.
    func advance(_ r53: inout Route53Service, _ loop: inout EventLoop<Route53Event>, _ faults: FaultModel, until end: SimInstant) {
        for item in r53.outbox { loop.schedule(item.event, at: item.at) }
        r53.outbox.removeAll()
        while let (instant, event) = loop.next(until: end) {
            r53.handle(event, faults: faults, now: instant)
            for item in r53.outbox { loop.schedule(item.event, at: item.at) }
            r53.outbox.removeAll()
        }
    }

    @Test func failoverAnswersThePrimaryWhileItIsHealthy() {
        var (r53, _) = service()
        #expect(r53.authoritativeAnswer(name: "svc.example.com")?.target == "web-a")
        #expect(r53.authoritativeAnswer(name: "nope.example.com") == nil)
    }

    @Test func aDeadPrimaryIsDetectedAfterThresholdProbesThenTheSecondaryAnswers() {
        var (r53, faults) = service()
        faults.apply(.outage(.availabilityZone("us-west-2a")))
        var loop = EventLoop<Route53Event>()
        advance(&r53, &loop, faults, until: SimInstant.zero + .seconds(59))
        #expect(r53.healthChecks["hc-a"]?.isHealthy == true) // 2 failed probes per checker at most
        advance(&r53, &loop, faults, until: SimInstant.zero + .seconds(120))
        #expect(r53.healthChecks["hc-a"]?.isHealthy == false)
        #expect(r53.authoritativeAnswer(name: "svc.example.com")?.target == "web-b")
    }

    @Test func clientsKeepCachedAnswersForTheTTL() {
        var (r53, _) = service()
        let first = r53.resolve(name: "svc.example.com", client: "c", now: .zero)
        #expect(first?.authoritative == true)
        r53.setForcedFailure("hc-a", true)
        r53.healthChecks["hc-a"]?.checkerHealthy = [false, false, false]
        let cached = r53.resolve(name: "svc.example.com", client: "c", now: SimInstant.zero + .seconds(59))
        #expect(cached?.target == "web-a" && cached?.authoritative == false)
        let fresh = r53.resolve(name: "svc.example.com", client: "c", now: SimInstant.zero + .seconds(60))
        #expect(fresh?.target == "web-b" && fresh?.authoritative == true)
        #expect(r53.resolve(name: "svc.example.com", client: "other", now: SimInstant.zero + .seconds(1))?.target == "web-b")
    }

    @Test func healthIsDeclaredByMoreThanEighteenPercentOfCheckers() {
        var check = Route53HealthCheck(id: "x", target: .host("h"), requestInterval: .seconds(10), failureThreshold: 1,
                                       checkerHealthy: [false, false, true], checkerStreak: [0, 0, 0])
        #expect(check.isHealthy) // 1 of 3 = 33% > 18%
        check.checkerHealthy = [false, false, false]
        #expect(!check.isHealthy)
        #expect(check.detectionBound == .seconds(20))
    }

    @Test func aliasesFollowTheirTargetAndItsHealth() {
        var (r53, _) = service()
        r53.upsert(Route53Record(name: "app.example.com", type: "A", ttl: .zero, target: "", routing: .failover(primary: true),
                                 setIdentifier: "p", aliasTarget: "svc.example.com", evaluateTargetHealth: true))
        r53.upsert(Route53Record(name: "backup.example.com", type: "A", ttl: .seconds(10), target: "web-b", routing: .simple))
        r53.upsert(Route53Record(name: "app.example.com", type: "A", ttl: .zero, target: "", routing: .failover(primary: false),
                                 setIdentifier: "s", aliasTarget: "backup.example.com"))
        #expect(r53.authoritativeAnswer(name: "app.example.com")?.target == "web-a")
        #expect(r53.authoritativeAnswer(name: "app.example.com")?.ttl == .seconds(60)) // the target's TTL
        r53.healthChecks["hc-a"]?.checkerHealthy = [false, false, false]
        // svc.example.com still answers (its SECONDARY is healthy), so the alias stays healthy and follows it.
        #expect(r53.authoritativeAnswer(name: "app.example.com")?.target == "web-b")
    }

    @Test func aPrivateZoneAnswersOnlyInsideItsVPC() {
        var r53 = Route53Service(random: SimRandom(seed: 1))
        _ = r53.createHostedZone(name: "internal.example.com", privateVPCRegion: "us-west-2")
        r53.upsert(Route53Record(name: "db.internal.example.com", type: "CNAME", ttl: .seconds(5), target: "db", routing: .simple))
        #expect(r53.resolve(name: "db.internal.example.com", client: "in", clientRegion: "us-west-2", now: .zero)?.target == "db")
        #expect(r53.resolve(name: "db.internal.example.com", client: "out", clientRegion: "us-east-1", now: .zero) == nil)
    }
}
