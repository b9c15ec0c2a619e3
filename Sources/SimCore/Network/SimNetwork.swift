/// Identifies a process of the simulated network (a client, a service
/// endpoint, a pod's server). Dense: the n-th registered process has raw value n.
public struct ProcessID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static func < (lhs: ProcessID, rhs: ProcessID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "process-\(rawValue)" }
}

/// Identifies one remote procedure call, from its request to its reply or timeout.
public struct CallID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static func < (lhs: CallID, rhs: CallID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "call-\(rawValue)" }
}

/// Where a message goes: a process, at an address of the fault model (its
/// host, or — for a name that moves, like a database endpoint — the host the
/// name pointed at when the caller resolved it).
public struct Endpoint: Hashable, Sendable {
    public var process: ProcessID
    public var domain: FaultDomain
    public init(process: ProcessID, domain: FaultDomain) {
        self.process = process
        self.domain = domain
    }
}

/// What the network asks its owner's event loop to do later.
public enum NetworkEvent: Hashable, Sendable {
    /// A message in transit reaches its destination (if the path is still up).
    case deliver(Int)
    /// A call's caller stops waiting.
    case timeout(CallID)
}

/// What the network hands to a process.
public enum NetworkDelivery<Payload: Sendable>: Sendable {
    /// A request of call `call` from `caller`; answer it with ``SimNetwork/reply(to:_:after:faults:loop:wrap:)``.
    case request(call: CallID, caller: Endpoint, payload: Payload)
    /// The answer to a call this process made.
    case reply(call: CallID, payload: Payload)
    /// A call this process made got no answer in time; `reason` says what
    /// the network knows about why (the request or the answer was lost, or
    /// nothing came back).
    case timedOut(call: CallID, reason: String)
}

/// The simulated network of processes: requests and replies travel between
/// endpoints with seeded latency under the fault model, and callers time out.
///
/// In the spirit of FoundationDB's simulated network and of sans-IO state
/// machines: the network holds no process code and no `async`. The owner (the
/// world) owns the event loop, registers processes, calls ``call(from:to:_:timeout:faults:loop:wrap:)``
/// and ``reply(to:_:after:faults:loop:wrap:)``, and routes each ``NetworkEvent``
/// back to ``handle(_:faults:loop:)``, which says which process gets what.
///
/// Rules, each checked against the ``FaultModel`` (the only source of failure):
/// - A message is sent only if the path from sender to destination is up at
///   send time, and delivered only if it is still up when it arrives
///   (a partition or outage that starts meanwhile drops it). A lost message is
///   silent; its call's caller learns only by timing out, with the reason the
///   network recorded (`request lost: availability zone us-west-2a is down`).
/// - One-way latency is drawn from the sender's own seeded stream
///   (``LatencyModel``), plus any active latency fault on the path.
/// - A reply after the caller timed out is dropped; a call completes once.
///
/// Value type; deterministic: the same sequence of calls on the same fault
/// model with the same seed gives the same deliveries at the same instants.
public struct SimNetwork<Payload: Sendable>: Sendable {
    /// Where a registered process lives and its latency stream.
    public struct Process: Sendable {
        public var name: String
        public var domain: FaultDomain
        var random: SimRandom
    }

    struct InTransit: Sendable {
        var call: CallID
        var from: Endpoint
        var to: Endpoint
        var isReply: Bool
        var payload: Payload
    }

    /// A caller waiting for its answer.
    struct PendingCall: Sendable {
        var caller: Endpoint
        var timeout: TimerID?
        var lostBecause: String?
        /// A latency fault slowed a message of the call (its request or its answer).
        var slowedBy: String?
    }

    /// Where a call's answer goes from and to, until the callee answers.
    struct Route: Sendable {
        var caller: Endpoint
        var callee: Endpoint
    }

    /// Something the network delivers now: `delivery` for `process`.
    public struct Arrival: Sendable {
        public var process: ProcessID
        public var delivery: NetworkDelivery<Payload>
    }

    public var latency: LatencyModel
    public private(set) var processes: [Process] = []
    private var inTransit: [Int: InTransit] = [:]
    private var calls: [Int: PendingCall] = [:]
    private var routes: [Int: Route] = [:]
    private var nextMessage = 0
    private var nextCall = 0
    private let random: SimRandom
    /// Messages lost so far (sent into a cut path or cut while in transit).
    public private(set) var lostCount = 0
    /// Messages delivered so far.
    public private(set) var deliveredCount = 0

    /// A network whose processes draw latency from streams of `random` named after them.
    public init(random: SimRandom, latency: LatencyModel = LatencyModel()) {
        self.random = random
        self.latency = latency
    }

    // MARK: Processes

    /// Registers a process living in `domain`; its latency stream is named after it.
    public mutating func register(name: String, domain: FaultDomain) -> ProcessID {
        let id = ProcessID(rawValue: processes.count)
        processes.append(Process(name: name, domain: domain, random: random.stream("net." + name)))
        return id
    }

    /// Moves a process (a service whose address changes).
    public mutating func move(_ process: ProcessID, to domain: FaultDomain) {
        guard processes.indices.contains(process.rawValue) else { return }
        processes[process.rawValue].domain = domain
    }

    /// The process's own endpoint (its home domain).
    public func endpoint(_ process: ProcessID) -> Endpoint {
        Endpoint(process: process, domain: processes[process.rawValue].domain)
    }

    /// The process's name.
    public func name(of process: ProcessID) -> String { processes[process.rawValue].name }

    /// Calls in progress (sent, neither answered nor timed out).
    public var pendingCallCount: Int { calls.count }

    // MARK: Calls

    /// Sends a request from `caller` (at its home domain) to `callee` and
    /// arms the caller's timeout. Returns the call's id, which the reply or
    /// the timeout will carry.
    public mutating func call<Event>(from caller: ProcessID, to callee: Endpoint, _ payload: Payload,
                                     timeout: SimDuration, faults: FaultModel, loop: inout EventLoop<Event>,
                                     wrap: (NetworkEvent) -> Event) -> CallID {
        call(from: endpoint(caller), to: callee, payload, timeout: timeout, faults: faults, loop: &loop, wrap: wrap)
    }

    /// Sends a request from `from` — a process at an address other than its
    /// home (a service answering for the pod on a given node) — to `callee`.
    public mutating func call<Event>(from: Endpoint, to callee: Endpoint, _ payload: Payload,
                                     timeout: SimDuration, faults: FaultModel, loop: inout EventLoop<Event>,
                                     wrap: (NetworkEvent) -> Event) -> CallID {
        let id = CallID(rawValue: nextCall)
        nextCall += 1
        var pending = PendingCall(caller: from)
        pending.timeout = loop.schedule(wrap(.timeout(id)), after: timeout)
        calls[id.rawValue] = pending
        routes[id.rawValue] = Route(caller: from, callee: callee)
        send(InTransit(call: id, from: from, to: callee, isReply: false, payload: payload), after: .zero,
             faults: faults, loop: &loop, wrap: wrap)
        return id
    }

    /// Answers call `call` after `serviceTime` (the callee's work), from the
    /// endpoint the request reached. A call is answered once; an answer to a
    /// caller that already timed out is dropped (its work was still done: a
    /// write that timed out may have been applied).
    public mutating func reply<Event>(to call: CallID, _ payload: Payload, after serviceTime: SimDuration = .zero,
                                      faults: FaultModel, loop: inout EventLoop<Event>,
                                      wrap: (NetworkEvent) -> Event) {
        guard let route = routes.removeValue(forKey: call.rawValue), calls[call.rawValue] != nil else { return }
        send(InTransit(call: call, from: route.callee, to: route.caller, isReply: true, payload: payload),
             after: serviceTime, faults: faults, loop: &loop, wrap: wrap)
    }

    private mutating func send<Event>(_ message: InTransit, after serviceTime: SimDuration, faults: FaultModel,
                                      loop: inout EventLoop<Event>, wrap: (NetworkEvent) -> Event) {
        if serviceTime == .zero, let reason = faults.unreachability(from: message.from.domain, to: message.to.domain) {
            lose(message, because: reason)
            return
        }
        let sender = message.from.process.rawValue
        var stream = processes[sender].random
        var oneWay = latency.oneWay(from: message.from.domain, to: message.to.domain, faults: faults, random: &stream)
        if let loss = faults.packetLoss(from: message.from.domain, to: message.to.domain) {
            // TCP resends a dropped packet after its retransmission timeout, doubling each time:
            // 200 ms at first (Linux TCP_RTO_MIN), at most 120 s (TCP_RTO_MAX); after 15 resends
            // (net.ipv4.tcp_retries2) the connection is given up and the message is lost.
            var timeout = SimDuration.milliseconds(200)
            var resends = 0
            while resends < 15, stream.unitInterval() < loss.fraction {
                oneWay += timeout
                timeout = min(timeout * 2, .seconds(120))
                resends += 1
            }
            if resends > 0 { calls[message.call.rawValue]?.slowedBy = "\(loss.note) (\(resends) TCP retransmission\(resends == 1 ? "" : "s"))" }
            if resends == 15 {
                processes[sender].random = stream
                lostCount += 1
                if !message.isReply { routes[message.call.rawValue] = nil }
                calls[message.call.rawValue]?.lostBecause = "connection given up after 15 TCP retransmissions: \(loss.note)"
                return
            }
        }
        processes[sender].random = stream
        if let note = faults.latencyNote(from: message.from.domain, to: message.to.domain) {
            calls[message.call.rawValue]?.slowedBy = note
        }
        let id = nextMessage
        nextMessage += 1
        inTransit[id] = message
        loop.schedule(wrap(.deliver(id)), after: serviceTime + oneWay)
    }

    private mutating func lose(_ message: InTransit, because reason: Unreachability) {
        lostCount += 1
        if !message.isReply { routes[message.call.rawValue] = nil }
        calls[message.call.rawValue]?.lostBecause = (message.isReply ? "answer lost: " : "") + reason.description
    }

    /// Handles one of the network's events: returns what to deliver to which
    /// process, or nil when nothing is (a message lost on the way, a stale timeout).
    public mutating func handle<Event>(_ event: NetworkEvent, faults: FaultModel,
                                       loop: inout EventLoop<Event>) -> Arrival? {
        switch event {
        case .deliver(let id):
            guard let message = inTransit.removeValue(forKey: id) else { return nil }
            if let reason = faults.unreachability(from: message.from.domain, to: message.to.domain) {
                lose(message, because: reason)
                return nil
            }
            if message.isReply {
                guard let pending = calls.removeValue(forKey: message.call.rawValue) else { return nil }
                if let timer = pending.timeout { loop.cancel(timer) }
                deliveredCount += 1
                return Arrival(process: message.to.process, delivery: .reply(call: message.call, payload: message.payload))
            }
            // Delivered even if the caller gave up meanwhile: the callee cannot know.
            deliveredCount += 1
            return Arrival(process: message.to.process,
                           delivery: .request(call: message.call, caller: message.from, payload: message.payload))
        case .timeout(let call):
            guard let pending = calls.removeValue(forKey: call.rawValue) else { return nil }
            return Arrival(process: pending.caller.process,
                           delivery: .timedOut(call: call, reason: pending.lostBecause
                                                   ?? pending.slowedBy.map { "no answer in time: \($0)" } ?? "no answer"))
        }
    }

    /// Forgets every call in progress (the end of a run): no reply or timeout
    /// will be delivered for them. Their timers are cancelled.
    public mutating func abandonAll<Event>(loop: inout EventLoop<Event>) {
        for key in calls.keys.sorted() { if let timer = calls[key]?.timeout { loop.cancel(timer) } }
        calls.removeAll()
        routes.removeAll()
        inTransit.removeAll()
    }
}

/// One-way network latency: a seeded log-normal around 2 ms inside a region,
/// plus 35 ms between regions, plus any active latency fault on the path.
/// Modelling assumptions (docs/fidelity.md): AWS publishes no intra-region
/// figure; 35 ms is roughly us-west-2 ↔ us-east-1 one way.
public struct LatencyModel: Sendable {
    public var intraRegionMedian: SimDuration
    public var sigma: Double
    public var crossRegion: SimDuration

    public init(intraRegionMedian: SimDuration = .milliseconds(2), sigma: Double = 0.3,
                crossRegion: SimDuration = .milliseconds(35)) {
        self.intraRegionMedian = intraRegionMedian
        self.sigma = sigma
        self.crossRegion = crossRegion
    }

    /// The delay of one message from `source` to `destination`, drawn from `random`.
    public func oneWay(from source: FaultDomain, to destination: FaultDomain, faults: FaultModel,
                       random: inout SimRandom) -> SimDuration {
        let base = random.logNormal(median: intraRegionMedian, sigma: sigma)
        let sameRegion = faults.region(of: source) == faults.region(of: destination)
        return base + (sameRegion ? .zero : crossRegion) + faults.addedLatency(from: source, to: destination)
    }
}
