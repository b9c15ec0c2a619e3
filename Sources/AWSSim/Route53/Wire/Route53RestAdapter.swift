/// The Route 53 REST-XML API for `aws route53 list-hosted-zones/
/// list-resource-record-sets/change-resource-record-sets/get-health-check-status`.
public enum Route53RestAdapter {
    static let namespace = "https://route53.amazonaws.com/doc/2013-04-01/"

    public static func handle(_ request: WireRequest, body: [UInt8], route53: inout Route53Service,
                              now: String, requestId: String) -> WireResponse {
        let parts = request.rawPath.split(separator: "/").map(String.init)
        guard parts.first == "2013-04-01" else { return error("InvalidInput", "Unknown API version in \(request.rawPath)", 400, requestId) }
        switch (request.method, Array(parts.dropFirst())) {
        case ("GET", ["hostedzone"]):
            let zones = route53.zone.map { zone in
                [XMLElement("HostedZone", children: [
                    .leaf("Id", "/hostedzone/\(zone.id)"), .leaf("Name", zone.name + "."), .leaf("CallerReference", "odas-sim"),
                    XMLElement("Config", children: [.leaf("PrivateZone", "false")]),
                    .leaf("ResourceRecordSetCount", String(route53.records.count)),
                ])]
            } ?? []
            return document("ListHostedZonesResponse", [XMLElement("HostedZones", children: zones), .leaf("IsTruncated", "false"),
                                                        .leaf("MaxItems", "100")])
        case ("GET", let path) where path.count == 3 && path[0] == "hostedzone" && path[2] == "rrset":
            guard route53.zone?.id == path[1] else { return noSuchZone(path[1], requestId) }
            let sets = route53.records.sorted { ($0.name, $0.type, $0.setIdentifier ?? "") < ($1.name, $1.type, $1.setIdentifier ?? "") }
                .map { recordElement($0, zoneId: path[1]) }
            return document("ListResourceRecordSetsResponse", [XMLElement("ResourceRecordSets", children: sets),
                                                               .leaf("IsTruncated", "false"), .leaf("MaxItems", "300")])
        case ("POST", let path) where path.count == 3 && path[0] == "hostedzone" && path[2] == "rrset":
            guard let zone = route53.zone, zone.id == path[1] else { return noSuchZone(path[1], requestId) }
            return change(body, zone: zone.name, route53: &route53, now: now, requestId: requestId)
        case ("GET", let path) where path.count == 3 && path[0] == "healthcheck" && path[2] == "status":
            guard let check = route53.healthChecks[path[1]] else {
                return error("NoSuchHealthCheck", "No health check exists with the specified ID \(path[1]).", 404, requestId)
            }
            let regions = ["us-east-1", "us-west-1", "eu-west-1"]
            let observations = check.checkerHealthy.enumerated().map { index, healthy in
                XMLElement("HealthCheckObservation", children: [
                    .leaf("Region", regions[index % regions.count]), .leaf("IPAddress", "15.177.\(index).1"),
                    XMLElement("StatusReport", children: [
                        .leaf("Status", healthy ? "Success: HTTP Status Code 200, OK" : "Failure: Connection timed out. The endpoint or the internet connection is down, or requests are being blocked by your firewall."),
                        .leaf("CheckedTime", now),
                    ]),
                ])
            }
            return document("GetHealthCheckStatusResponse", [XMLElement("HealthCheckObservations", children: observations)])
        default:
            return error("InvalidInput", "\(request.method) \(request.rawPath) is not simulated yet.", 400, requestId)
        }
    }

    static func recordElement(_ record: Route53Record, zoneId: String) -> XMLElement {
        var children: [XMLElement] = [.leaf("Name", record.name + "."), .leaf("Type", record.type)]
        if let id = record.setIdentifier { children.append(.leaf("SetIdentifier", id)) }
        switch record.routing {
        case .failover(let primary): children.append(.leaf("Failover", primary ? "PRIMARY" : "SECONDARY"))
        case .weighted(let weight): children.append(.leaf("Weight", String(weight)))
        case .simple: break
        }
        if let alias = record.aliasTarget {
            children.append(XMLElement("AliasTarget", children: [
                .leaf("HostedZoneId", zoneId), .leaf("DNSName", alias + "."),
                .leaf("EvaluateTargetHealth", record.evaluateTargetHealth ? "true" : "false"),
            ]))
        } else {
            children.append(.leaf("TTL", String(record.ttl.nanoseconds / 1_000_000_000)))
            children.append(XMLElement("ResourceRecords", children: [XMLElement("ResourceRecord", children: [.leaf("Value", record.target)])]))
        }
        if let check = record.healthCheck { children.append(.leaf("HealthCheckId", check)) }
        return XMLElement("ResourceRecordSet", children: children)
    }

    /// ChangeResourceRecordSets: CREATE, UPSERT and DELETE, all or nothing.
    static func change(_ body: [UInt8], zone: String, route53: inout Route53Service, now: String, requestId: String) -> WireResponse {
        guard case .success(let root) = XMLCodec.parse(body), root.name == "ChangeResourceRecordSetsRequest",
              let changes = root.child("ChangeBatch")?.child("Changes")?.children("Change"), !changes.isEmpty else {
            return error("InvalidInput", "Invalid XML; the request must contain ChangeBatch/Changes/Change", 400, requestId)
        }
        var staged = route53
        for change in changes {
            guard let action = change.child("Action")?.text, let set = change.child("ResourceRecordSet"),
                  var name = set.child("Name")?.text, let type = set.child("Type")?.text else {
                return error("InvalidInput", "Each Change needs Action and a ResourceRecordSet with Name and Type", 400, requestId)
            }
            if name.hasSuffix(".") { name.removeLast() }
            name = name.lowercased()
            guard name == zone || name.hasSuffix("." + zone) else {
                return invalidBatch("RRSet with DNS name \(name). is not permitted in zone \(zone).", requestId)
            }
            let setIdentifier = set.child("SetIdentifier")?.text
            let exists = staged.records.contains { $0.name == name && $0.type == type && $0.setIdentifier == setIdentifier }
            switch action {
            case "DELETE":
                guard staged.delete(name: name, type: type, setIdentifier: setIdentifier) else {
                    return invalidBatch("Tried to delete resource record set [name='\(name).', type='\(type)'] but it was not found", requestId)
                }
            case "CREATE", "UPSERT":
                if action == "CREATE", exists {
                    return invalidBatch("Tried to create resource record set [name='\(name).', type='\(type)'] but it already exists", requestId)
                }
                var aliasName: String?
                if let alias = set.child("AliasTarget"), var dnsName = alias.child("DNSName")?.text {
                    if dnsName.hasSuffix(".") { dnsName.removeLast() }
                    guard staged.records.contains(where: { $0.name == dnsName.lowercased() }) else {
                        return invalidBatch("Tried to create an alias that targets \(dnsName)., type \(type) in zone \(zone), but the alias target name does not lie within the target zone", requestId)
                    }
                    aliasName = dnsName.lowercased()
                }
                let value = set.child("ResourceRecords")?.child("ResourceRecord")?.child("Value")?.text
                let ttl = set.child("TTL").flatMap { Int64($0.text) }
                guard aliasName != nil || (value != nil && (ttl ?? -1) >= 0) else {
                    return invalidBatch("A record set needs TTL and ResourceRecords, or an AliasTarget", requestId)
                }
                let routing: Route53Routing
                if let failover = set.child("Failover")?.text {
                    guard failover == "PRIMARY" || failover == "SECONDARY" else { return invalidBatch("Failover must be PRIMARY or SECONDARY", requestId) }
                    routing = .failover(primary: failover == "PRIMARY")
                } else if let weight = set.child("Weight").flatMap({ Int($0.text) }) {
                    routing = .weighted(weight: weight)
                } else {
                    routing = .simple
                }
                let check = set.child("HealthCheckId")?.text
                if let check, staged.healthChecks[check] == nil {
                    return error("NoSuchHealthCheck", "No health check exists with the specified ID \(check).", 404, requestId)
                }
                staged.upsert(Route53Record(name: name, type: type, ttl: .seconds(ttl ?? 60), target: value ?? "", routing: routing,
                                            setIdentifier: setIdentifier, healthCheck: check, aliasTarget: aliasName,
                                            evaluateTargetHealth: set.child("AliasTarget")?.child("EvaluateTargetHealth")?.text == "true"))
            default:
                return error("InvalidInput", "Action \(action) is not CREATE, UPSERT or DELETE", 400, requestId)
            }
        }
        route53 = staged
        return document("ChangeResourceRecordSetsResponse", [XMLElement("ChangeInfo", children: [
            .leaf("Id", "/change/C" + requestId), .leaf("Status", "INSYNC"), .leaf("SubmittedAt", now),
        ])])
    }

    static func document(_ name: String, _ children: [XMLElement]) -> WireResponse {
        WireResponse(status: 200, headers: [("Content-Type", "text/xml")], body: XMLCodec.write(XMLElement(name, children: children), namespace: namespace))
    }

    static func noSuchZone(_ id: String, _ requestId: String) -> WireResponse {
        error("NoSuchHostedZone", "No hosted zone found with ID: \(id)", 404, requestId)
    }

    static func invalidBatch(_ message: String, _ requestId: String) -> WireResponse {
        error("InvalidChangeBatch", message, 400, requestId)
    }

    /// An error in this API's shape.
    public static func error(_ code: String, _ message: String, _ status: Int, _ requestId: String) -> WireResponse {
        let body = XMLCodec.write(XMLElement("ErrorResponse", children: [
            XMLElement("Error", children: [.leaf("Type", "Sender"), .leaf("Code", code), .leaf("Message", message)]),
            .leaf("RequestId", requestId),
        ]), namespace: namespace)
        return WireResponse(status: status, headers: [("Content-Type", "text/xml")], body: body)
    }
}
