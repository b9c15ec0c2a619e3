import AWSSim
import SimCore

/// `dns-resolve`: resolves a Route 53 name through the client's caching stub
/// resolver (local to the client: Route 53's data plane answers everywhere),
/// then connects to the answer; ok only if the answer is reachable.
struct DNSClientProcess: ClientProcess {
    var client: ClientState
    /// What each connection attempt was resolved to, by operation.
    var answers: [Int: (target: String, cached: Bool)] = [:]

    init(_ client: ClientState) { self.client = client }

    mutating func issue(world: inout World) {
        let spec = client.spec
        let now = world.loop.now
        let op = world.history.invoke(workload: spec.name, kind: .read, at: now, target: "route53", key: spec.target)
        guard let answer = world.route53.resolve(name: spec.target, client: spec.name,
                                                 clientRegion: world.faults.region(of: spec.from), now: now) else {
            failLocally(op, error: "NXDOMAIN \(spec.target)", countsAsFailure: false, world: &world)
            return
        }
        let target = world.scenario.topology.domain(named: answer.target) ?? .host(answer.target)
        let downFor = world.downSince(target).map { now - $0 }
        let bound = world.route53.healthCheck(forTarget: answer.target)?.detectionBound
        world.history.setDNS(op, DNSObservation(target: answer.target, authoritative: answer.authoritative,
                                                targetDownFor: downFor, detectionBound: bound))
        answers[op] = (answer.target, !answer.authoritative)
        send(op: op, to: Endpoint(process: world.listener, domain: target), ConnectRequest(), world: &world)
    }

    mutating func answered(op: Int, _ answer: any WorldMessage, world: inout World) {
        let resolved = answers.removeValue(forKey: op)
        world.history.complete(op, at: world.loop.now, outcome: .ok, value: resolved?.target)
        client.consecutiveFailures = 0
        world.recordCompletion(op)
    }

    mutating func timedOut(op: Int, reason: String, world: inout World) {
        let resolved = answers.removeValue(forKey: op)
        let target = resolved?.target ?? "?"
        world.history.complete(op, at: world.loop.now, outcome: .failed, value: target,
                               error: "\(client.spec.target) → \(target)\(resolved?.cached == true ? " (cached)" : ""): timeout after \(client.spec.timeout): \(reason)")
        world.recordCompletion(op)
        noteFailure(world: &world)
    }
}
