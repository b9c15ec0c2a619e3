import SimCore

/// The world's processes on its simulated network: spawning, calls, replies,
/// timers, and the routing of what the network delivers to the process it is for.
extension World {
    /// Registers `process` living in `domain` and returns its id.
    @discardableResult
    mutating func spawn(_ process: any WorldProcess, name: String, domain: FaultDomain) -> ProcessID {
        let id = network.register(name: name, domain: domain)
        processes.append(process)
        return id
    }

    /// Sends a request from `caller` to `callee` and arms the caller's timeout.
    @discardableResult
    mutating func call(from caller: ProcessID, to callee: Endpoint, _ message: any WorldMessage,
                       timeout: SimDuration) -> CallID {
        network.call(from: caller, to: callee, message, timeout: timeout, faults: faults, loop: &loop,
                     wrap: WorldEvent.network)
    }

    /// Sends a request from a process at a given address (a pod's node).
    @discardableResult
    mutating func call(from caller: Endpoint, to callee: Endpoint, _ message: any WorldMessage,
                       timeout: SimDuration) -> CallID {
        network.call(from: caller, to: callee, message, timeout: timeout, faults: faults, loop: &loop,
                     wrap: WorldEvent.network)
    }

    /// Answers a call after `serviceTime`.
    mutating func reply(to call: CallID, _ message: any WorldMessage, after serviceTime: SimDuration = .zero) {
        network.reply(to: call, message, after: serviceTime, faults: faults, loop: &loop, wrap: WorldEvent.network)
    }

    /// Wakes `process` with `token` after `delay`.
    @discardableResult
    mutating func setTimer(_ process: ProcessID, token: Int, after delay: SimDuration) -> TimerID {
        loop.schedule(.processTimer(process, token: token), after: delay)
    }

    /// Wakes `process` with `token` at `instant`.
    @discardableResult
    mutating func setTimer(_ process: ProcessID, token: Int, at instant: SimInstant) -> TimerID {
        loop.schedule(.processTimer(process, token: token), at: max(instant, loop.now))
    }

    /// Routes a network event to the process it concerns.
    mutating func handleNetwork(_ event: NetworkEvent) {
        guard let arrival = network.handle(event, faults: faults, loop: &loop) else { return }
        withProcess(arrival.process) { process, world in process.receive(arrival.delivery, world: &world) }
    }

    /// Runs `body` on a process taken out of the table, so that the process
    /// and the world can both be mutated; puts it back afterwards.
    mutating func withProcess(_ id: ProcessID, _ body: (inout any WorldProcess, inout World) -> Void) {
        guard processes.indices.contains(id.rawValue) else { return }
        var process = processes[id.rawValue]
        processes[id.rawValue] = VacantProcess()
        body(&process, &self)
        processes[id.rawValue] = process
    }

    /// A process's timer is due.
    mutating func processTimerFires(_ id: ProcessID, token: Int) {
        withProcess(id) { process, world in process.timerFires(token, world: &world) }
    }
}
