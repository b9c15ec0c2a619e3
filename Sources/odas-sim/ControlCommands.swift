import ArgumentParser
import Foundation
import SimServer

/// Where the control endpoint is: `--endpoint URL`, the `control` URL in a
/// serve ready file, or — with neither — the ready file every serve also
/// writes to ``ServeDefaults/readyFile`` (the last serve started, if it still runs).
struct ControlEndpointOptions: ParsableArguments {
    @Option(help: "The control endpoint of odas-sim serve, e.g. http://127.0.0.1:4567 (default: the running serve's, from its ready file).")
    var endpoint: String?

    @Option(name: .customLong("ready-file"), help: "Read the control endpoint from serve's ready file.")
    var readyFile: String?

    @Flag(help: "Print the control endpoint's JSON answer instead of text.")
    var json = false

    @Option(name: .customLong("control-token"), help: "The serve's --control-token (default: $ODAS_SIM_CONTROL_TOKEN, else the ready file's).")
    var controlToken: String?

    func client() throws -> ControlClient {
        var url = endpoint
        var token = controlToken ?? ProcessInfo.processInfo.environment["ODAS_SIM_CONTROL_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if url == nil {
            let file = readyFile ?? ServeDefaults.readyFile
            guard let data = FileManager.default.contents(atPath: file),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let control = object["control"] as? String else {
                throw ValidationError(readyFile == nil
                    ? "no running odas-sim serve found (\(file) is missing); give --endpoint URL or --ready-file FILE"
                    : "\(file) is not a ready file of odas-sim serve (no \"control\" URL)")
            }
            if readyFile == nil, let pid = object["pid"] as? Int, kill(pid_t(pid), 0) != 0 {
                throw ValidationError("no running odas-sim serve found (the serve of \(file), pid \(pid), has stopped); give --endpoint URL or --ready-file FILE")
            }
            url = control
            if token == nil { token = object["controlToken"] as? String }
        }
        guard let url else { throw ValidationError("give --endpoint URL or --ready-file FILE") }
        do { return try ControlClient(endpoint: url, token: token) } catch { throw ValidationError(error.description) }
    }

    /// Sends a request and prints the answer (`text` renders a JSON answer,
    /// or `--json` prints it as is). A refused request (4xx: bad input) exits
    /// 2, as `run` does for a bad scenario; an unreachable server or a server
    /// error exits 1.
    func call(_ method: String, _ path: String, body: [String: Any]? = nil, text: ([String: Any]) -> String = ControlText.state) throws {
        let payload = try body.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
        let response: (status: Int, body: String)
        do { response = try client().send(method: method, path: path, body: payload) } catch let error as ControlClient.Failure {
            printError("odas-sim: \(error.description)")
            throw ExitCode(1)
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body.utf8))) as? [String: Any]
        if response.status >= 400 {
            printError("odas-sim: \(object?["error"] as? String ?? response.body)")
            throw ExitCode(response.status < 500 ? 2 : 1)
        }
        if json { if !response.body.isEmpty { print(response.body) } }
        else if let object { print(text(object)) }
    }
}

/// The control endpoint's JSON answers as text for people.
enum ControlText {
    static func state(_ object: [String: Any]) -> String {
        let speed = (object["speed"] as? Double).map { $0 == 0 ? "stopped" : "speed \(trim($0))×" } ?? ""
        var out = "virtual time \(object["now"] as? String ?? "?") (\(speed))"
        if let duration = object["scenarioDuration"] as? String {
            out += (object["pastScenarioEnd"] as? Bool == true) ? ", past the scenario's \(duration)" : " of the scenario's \(duration)"
        }
        let faults = object["faults"] as? [[String: Any]] ?? []
        if faults.isEmpty { return out + "\nno active faults" }
        out += "\nactive faults:"
        for fault in faults {
            out += "\n  \(fault["id"] as? String ?? "?")  \(fault["fault"] as? String ?? "")  (\(fault["source"] as? String ?? ""))"
        }
        return out
    }

    static func injected(_ object: [String: Any]) -> String {
        "injected \(object["id"] as? String ?? "?"): \(object["action"] as? String ?? "") \(object["target"] as? String ?? "")"
    }

    static func trim(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

extension OdasSim {
    struct Fault: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Inject, lift or list faults in a running odas-sim serve.",
            subcommands: [Inject.self, Lift.self, List.self]
        )

        struct Inject: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Start a fault now.",
                discussion: """
                    Actions (as in a scenario's faults): az-outage AZ, region-outage REGION, host-crash HOST,                     node-crash NODE, network-partition DOMAIN [--peers ...], network-latency DOMAIN --latency D,                     db-primary-crash DATABASE, db-global-failover DATABASE, db-global-switchover DATABASE                     (instant), dns-health-check-failure HEALTH-CHECK.
                    """)
            @OptionGroup var control: ControlEndpointOptions
            @Argument(help: "The fault action, e.g. az-outage.") var action: String
            @Argument(help: "What it hits: a region, AZ, subnet or host; a database; a health check.") var target: String
            @Option(help: "How long it lasts in virtual time (e.g. 5m); default until lifted.") var duration: String?
            @Option(help: "For network-partition: the other side, comma-separated.") var peers: String?
            @Option(help: "For network-latency: the added delay, e.g. 200ms.") var latency: String?

            func run() throws {
                var body: [String: Any] = ["action": action, "target": target]
                if let duration { body["duration"] = duration }
                if let peers { body["peers"] = peers.split(separator: ",").map(String.init) }
                if let latency { body["latency"] = latency }
                try control.call("POST", "/v1/faults", body: body, text: ControlText.injected)
            }
        }

        struct Lift: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "End a fault by its id (or a scenario fault by name).")
            @OptionGroup var control: ControlEndpointOptions
            @Argument(help: "The fault id, e.g. control-1.") var id: String
            func run() throws {
                try control.call("DELETE", "/v1/faults/" + (id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id))
                if !control.json { print("lifted \(id)") }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print the virtual clock and the active faults.")
            @OptionGroup var control: ControlEndpointOptions
            func run() throws { try control.call("GET", "/v1/state") }
        }
    }

    struct Clock: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read, advance or scale the virtual clock of a running odas-sim serve.",
            discussion: "Without options, prints the clock. --advance runs every event due in the skipped span."
        )
        @OptionGroup var control: ControlEndpointOptions
        @Option(help: "Jump virtual time forward, e.g. 20m.") var advance: String?
        // Unconditional: `--speed -1` reaches validate() and gets a reason, not "missing value".
        @Option(parsing: .unconditional, help: "Virtual seconds per wall-clock second from now on (0 stops the clock).") var speed: Double?

        func validate() throws {
            if let speed, !(0...1_000_000).contains(speed) {
                throw ValidationError("--speed \(speed) is outside 0…1000000: it is virtual seconds per wall-clock second (0 stops the clock; virtual time never runs backwards)")
            }
        }

        func run() throws {
            guard advance != nil || speed != nil else { return try control.call("GET", "/v1/state") }
            var body: [String: Any] = [:]
            if let advance { body["advance"] = advance }
            if let speed { body["speed"] = speed }
            try control.call("POST", "/v1/clock", body: body)
        }
    }
}
