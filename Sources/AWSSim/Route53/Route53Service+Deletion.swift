/// Deleting what CloudFormation (or a client) created: a hosted zone must
/// hold no record sets but its own (Route 53 API Reference, DeleteHostedZone:
/// HostedZoneNotEmpty), a health check stops being probed.
extension Route53Service {
    public mutating func deleteHostedZone(_ id: String) throws(Route53Error) {
        guard let current = zone, current.id == id else { throw Route53Error(code: "NoSuchHostedZone", message: "No hosted zone found with ID: \(id)") }
        guard records.isEmpty else {
            throw Route53Error(code: "HostedZoneNotEmpty", message: "The specified hosted zone contains non-required resource record sets and so cannot be deleted.")
        }
        zone = nil
        privateZoneRegion = nil
    }

    public mutating func deleteHealthCheck(_ id: String) {
        healthChecks[id] = nil
        outbox.removeAll { if case .probe(let check, _) = $0.event { return check == id }; return false }
    }
}

/// A Route 53 API error.
public struct Route53Error: Error, Equatable, Sendable {
    public var code: String
    public var message: String
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}
