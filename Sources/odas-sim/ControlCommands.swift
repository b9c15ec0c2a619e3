import ArgumentParser
import Foundation
import SimServer

/// Where the control endpoint is: `--endpoint URL`, or the `control` URL in a serve ready file.
struct ControlEndpointOptions: ParsableArguments {
    @Option(help: "The control endpoint of odas-sim serve, e.g. http://127.0.0.1:4567.")
    var endpoint: String?

    @Option(name: .customLong("ready-file"), help: "Read the control endpoint from serve's ready file.")
    var readyFile: String?

    func client() throws -> ControlClient {
        var url = endpoint
        if url == nil, let readyFile {
            guard let data = FileManager.default.contents(atPath: readyFile),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let control = object["control"] as? String else {
                throw ValidationError("\(readyFile) is not a ready file of odas-sim serve (no \"control\" URL)")
            }
            url = control
        }
        guard let url else { throw ValidationError("give --endpoint URL or --ready-file FILE") }
        do { return try ControlClient(endpoint: url) } catch { throw ValidationError(error.description) }
    }

    /// Sends a request, prints the answer, and fails with exit code 1 on an error status.
    func call(_ method: String, _ path: String, body: [String: Any]? = nil) throws {
        let text = try body.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
        let response: (status: Int, body: String)
        do { response = try client().send(method: method, path: path, body: text) } catch let error as ControlClient.Failure {
            printError("odas-sim: \(error.description)")
            throw ExitCode(1)
        }
        if !response.body.isEmpty { print(response.body) }
        if response.status >= 400 { throw ExitCode(1) }
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
                try control.call("POST", "/v1/faults", body: body)
            }
        }

        struct Lift: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "End a fault by its id (or a scenario fault by name).")
            @OptionGroup var control: ControlEndpointOptions
            @Argument(help: "The fault id, e.g. control-1.") var id: String
            func run() throws {
                try control.call("DELETE", "/v1/faults/" + (id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id))
                print("lifted \(id)")
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
