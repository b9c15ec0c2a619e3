import Foundation
import ODASModel
import SimCore

/// The ODAS REST API on `odas-sim serve` (Okera's REST server, port 8083):
/// list the datasets a user may scan and scan one, as JSON, authenticated
/// with the user's bearer token from the scenario (`odas.users[].token`).
/// Each request travels the simulated deployment — a ready REST server pod,
/// a planner (policy cache, catalog), the workers, S3 — under the fault
/// model, on virtual time: the world runs until the answer comes back (a
/// scan takes tens of virtual milliseconds), so an injected fault shows in
/// the next request.
extension LiveWorld {
    /// The most a request waits, in virtual time, before it is answered 504.
    static let restDeadline = SimDuration.seconds(30)

    /// Answers `GET /api/datasets` and `GET /api/scan/{db.table}?records=N`.
    public mutating func handleODAS(_ request: WireRequest) -> WireResponse {
        let path = String(request.rawPath)
        let response = answerODAS(request, path: path)
        world.trace.record("odas", "rest-request", at: world.loop.now, [
            "method": .string(request.method), "path": .string(String(path.prefix(200))), "status": .int(Int64(response.status)),
        ])
        return response
    }

    func restJSON(_ status: Int, _ value: [String: Any], headers: [(name: String, value: String)] = []) -> WireResponse {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return WireResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(data) + [0x0a])
    }

    func restError(_ status: Int, _ code: String, _ message: String, headers: [(name: String, value: String)] = []) -> WireResponse {
        restJSON(status, ["code": code, "error": message, "virtualTime": world.loop.now.readable], headers: headers)
    }

    mutating func answerODAS(_ request: WireRequest, path: String) -> WireResponse {
        guard let odas = world.scenario.odas else {
            return restError(404, "NotFound", "scenario \(world.scenario.name) has no odas section, so no ODAS REST server")
        }
        let scanPrefix = "/api/scan/"
        guard path == "/api/datasets" || path.hasPrefix(scanPrefix) else {
            return restError(404, "NotFound", "unknown path \(path.prefix(200)); the API is GET /api/datasets and GET /api/scan/{db.table}?records=N (docs/serve.md)")
        }
        guard request.method == "GET" else {
            return restError(405, "MethodNotAllowed", "\(request.method.prefix(20)) \(path.prefix(200)): only GET", headers: [("Allow", "GET")])
        }
        let authorization = request.header("authorization") ?? ""
        let bearer = "bearer "
        guard authorization.lowercased().hasPrefix(bearer) else {
            return restError(401, "Unauthenticated", "send the user's token: Authorization: Bearer <token> (odas.users[].token)",
                             headers: [("WWW-Authenticate", "Bearer realm=\"odas\"")])
        }
        let token = String(authorization.dropFirst(bearer.count)).trimmingCharacters(in: .whitespaces)
        guard let user = odas.tokens[token] else {
            return restError(401, "Unauthenticated", "the token is not any user's", headers: [("WWW-Authenticate", "Bearer realm=\"odas\", error=\"invalid_token\"")])
        }
        let call: RESTCall
        if path == "/api/datasets" {
            call = .listDatasets(user: user)
        } else {
            let dataset = PercentEncoding.decode(path.dropFirst(scanPrefix.count))
            guard !dataset.isEmpty, !dataset.contains("/") else { return restError(404, "NotFound", "give a dataset: /api/scan/db.table") }
            var records = 100
            if let text = request.query("records") {
                guard let value = Int(text), (1...10_000).contains(value) else {
                    return restError(400, "InvalidArgument", "records is a number from 1 to 10000, not \"\(text.prefix(20))\"")
                }
                records = value
            }
            call = .scan(user: user, dataset: dataset, records: records)
        }
        let outcome = runREST(call)
        return restResponse(outcome, user: user)
    }

    /// Sends the call through the REST gateway and runs the world until it is answered.
    mutating func runREST(_ call: RESTCall) -> RESTOutcome {
        let gateway: ProcessID
        if let existing = world.restGateway {
            gateway = existing
        } else {
            let random = SimRandom(seed: world.seed).stream("odas.rest")
            gateway = world.spawn(RESTGatewayProcess(id: ProcessID(rawValue: 0), random: random), name: "odas-rest-server",
                                  domain: world.listenerDomain)
            world.withProcess(gateway) { process, _ in
                guard var rest = process as? RESTGatewayProcess else { return }
                rest.id = gateway
                process = rest
            }
            world.restGateway = gateway
        }
        let id = world.nextRESTRequest
        world.nextRESTRequest += 1
        world.withProcess(gateway) { process, world in
            guard var rest = process as? RESTGatewayProcess else { return }
            rest.start(id, call, world: &world)
            process = rest
        }
        let deadline = world.loop.now + Self.restDeadline
        while world.restOutcomes[id] == nil, let (_, event) = world.loop.next(until: deadline) {
            world.handle(event)
        }
        return world.restOutcomes.removeValue(forKey: id)
            ?? .failed(status: 504, code: "Timeout", message: "no answer within \(Self.restDeadline) of virtual time")
    }

    func restResponse(_ outcome: RESTOutcome, user: String) -> WireResponse {
        let time = world.loop.now.readable
        switch outcome {
        case .failed(let status, let code, let message):
            return restError(status, code, message)
        case .datasets(let datasets, let version, let via):
            return restJSON(200, [
                "user": user, "catalogVersion": version, "servedBy": via, "virtualTime": time,
                "datasets": datasets.map { ["name": $0.name, "columns": $0.columns.map(Self.columnJSON)] },
            ])
        case .scan(let columns, let rows, let summary, let version, let via):
            let records: [[String: Any]] = rows.map { row in
                var record: [String: Any] = [:]
                for (index, column) in columns.enumerated() { record[column.name] = Self.valueJSON(row[index]) }
                return record
            }
            return restJSON(200, [
                "user": user, "catalogVersion": version, "servedBy": via, "virtualTime": time,
                "columns": columns.map(Self.columnJSON), "records": records,
                "rowsRead": summary.rowsRead, "rowsReturned": summary.rowsReturned, "truncated": summary.rowsReturned > rows.count,
            ])
        }
    }

    static func columnJSON(_ column: ResultColumn) -> [String: Any] {
        var out: [String: Any] = ["name": column.name, "type": column.type.rawValue]
        if let mask = column.mask { out["mask"] = mask.rawValue }
        return out
    }

    static func valueJSON(_ value: Value) -> Any {
        switch value {
        case .null: return NSNull()
        case .bigint(let v): return v
        case .int(let v): return Int(v)
        case .double(let v): return v
        case .boolean(let v): return v
        case .string(let v): return v
        case .date: return value.description
        }
    }
}
