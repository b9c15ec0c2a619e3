import SimCore

/// A message body on the world's network. Each service defines its own
/// request and reply types in its own file; receivers cast to what they expect.
protocol WorldMessage: Sendable {}

/// A process of the world: a client workload, a service endpoint, an ODAS
/// service in a pod. A state machine: it reacts to what the network delivers
/// and to its own timers, and acts through the world (sending calls and
/// replies, setting timers, recording history). No `async` anywhere.
///
/// The world takes the process out of its table while it runs, so a handler
/// may freely use every part of `world`, including other processes' calls.
protocol WorldProcess: Sendable {
    /// A request, a reply or a timeout for this process.
    mutating func receive(_ delivery: NetworkDelivery<any WorldMessage>, world: inout World)
    /// A timer this process set (``World/setTimer(_:token:after:)``) is due.
    mutating func timerFires(_ token: Int, world: inout World)
}

extension WorldProcess {
    mutating func timerFires(_ token: Int, world: inout World) {}
}

/// The placeholder left in the process table while a process runs.
struct VacantProcess: WorldProcess {
    mutating func receive(_ delivery: NetworkDelivery<any WorldMessage>, world: inout World) {}
}

/// The answer of a service to a request: a value, or an error with its code
/// (the AWS or protocol error code) and message.
struct ServiceAnswer: WorldMessage {
    enum Result: Sendable {
        case ok(String)
        case error(code: String, message: String)
    }

    var result: Result

    static func ok(_ value: String) -> ServiceAnswer { ServiceAnswer(result: .ok(value)) }
    static func error(_ code: String, _ message: String) -> ServiceAnswer { ServiceAnswer(result: .error(code: code, message: message)) }
}
