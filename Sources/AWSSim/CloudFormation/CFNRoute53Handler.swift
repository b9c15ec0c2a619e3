import SimCore

/// AWS::Route53::HostedZone, RecordSet, RecordSetGroup and HealthCheck, in the
/// Route 53 fake. Its records name endpoints of the simulated world, so an A
/// record's IP address, or a health check's, must be the private address of a
/// simulated instance (it answers for that host); aliases must name records of
/// the same zone. One hosted zone per account (the fake's).
enum CFNRoute53Handler: CFNResourceHandler {
    static let types = ["AWS::Route53::HostedZone", "AWS::Route53::RecordSet", "AWS::Route53::RecordSetGroup", "AWS::Route53::HealthCheck"]

    static func fqdn(_ name: String) -> String { name.hasSuffix(".") ? String(name.dropLast()).lowercased() : name.lowercased() }

    /// The instance whose private address is `value`, else the value itself.
    static func host(_ value: String, _ services: CFNServices) -> String {
        services.ec2.instances.values.sorted { $0.id < $1.id }.first { $0.privateIPAddress == value }?.name ?? value
    }

    static func checkZone(_ properties: CFNMap, _ services: CFNServices, _ logicalId: String) throws(CFNError) -> (id: String, name: String) {
        guard let zone = services.route53.zone else { throw CFNError("NoSuchHostedZone", "No hosted zone found for \(logicalId)") }
        if let id = properties["HostedZoneId"]?.scalarText, id.split(separator: "/").last.map(String.init) != zone.id {
            throw CFNError("NoSuchHostedZone", "No hosted zone found with ID: \(id)")
        }
        if let name = properties["HostedZoneName"]?.scalarText, fqdn(name) != zone.name {
            throw CFNError("NoSuchHostedZone", "No hosted zone found with name: \(name)")
        }
        return zone
    }

    static func record(_ fields: CFNMap, _ services: CFNServices, _ logicalId: String) throws(CFNError) -> Route53Record {
        let zone = try checkZone(fields, services, logicalId)
        guard let rawName = fields["Name"]?.scalarText, let type = fields["Type"]?.scalarText else {
            throw CFNError("ValidationError", "Properties validation failed for resource \(logicalId) with message: #: required key [Name, Type] not found")
        }
        let name = fqdn(rawName)
        guard name == zone.name || name.hasSuffix("." + zone.name) else {
            throw CFNError("InvalidChangeBatch", "RRSet with DNS name \(rawName) is not permitted in zone \(zone.name).")
        }
        let routing: Route53Routing
        if let failover = fields["Failover"]?.scalarText { routing = .failover(primary: failover == "PRIMARY") }
        else if let weight = fields["Weight"]?.scalarText.flatMap({ Int($0) }) { routing = .weighted(weight: weight) }
        else { routing = .simple }
        let ttl = SimDuration.seconds(Int64(fields["TTL"]?.scalarText ?? "") ?? 300)
        if let alias = fields["AliasTarget"]?.mapValue {
            guard var target = alias["DNSName"]?.scalarText.map(fqdn) else {
                throw CFNError("ValidationError", "Properties validation failed for resource \(logicalId) with message: #/AliasTarget: required key [DNSName] not found")
            }
            if !target.hasSuffix(zone.name) {
                // An Elastic Load Balancing name ("dualstack." is how templates ask for both address families).
                let bare = target.hasPrefix("dualstack.") ? String(target.dropFirst("dualstack.".count)) : target
                guard let balancer = services.elbv2.loadBalancers.values.sorted(by: { $0.arn < $1.arn }).first(where: { $0.dnsName.lowercased() == bare }) else {
                    throw CFNError("InvalidChangeBatch", "odas-sim models alias targets that are records of the same zone or load balancers (\(target) is neither)")
                }
                if let hostedZone = alias["HostedZoneId"]?.scalarText, hostedZone != balancer.canonicalHostedZoneId {
                    throw CFNError("InvalidChangeBatch", "Tried to create an alias that targets \(target)., type \(type) in zone \(hostedZone), but the alias target name does not lie within the target zone")
                }
                target = bare
            }
            return Route53Record(name: name, type: type, ttl: ttl, target: "", routing: routing, setIdentifier: fields["SetIdentifier"]?.scalarText,
                                 healthCheck: fields["HealthCheckId"]?.scalarText, aliasTarget: target,
                                 evaluateTargetHealth: alias["EvaluateTargetHealth"]?.scalarText == "true")
        }
        guard let value = fields["ResourceRecords"]?.listValue?.first?.scalarText else {
            throw CFNError("InvalidChangeBatch", "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords]], but found none in Change")
        }
        return Route53Record(name: name, type: type, ttl: ttl, target: host(value, services), routing: routing,
                             setIdentifier: fields["SetIdentifier"]?.scalarText, healthCheck: fields["HealthCheckId"]?.scalarText)
    }

    static func create(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        switch request.type {
        case "AWS::Route53::HostedZone":
            let name = fqdn(try request.required("Name"))
            if let existing = services.route53.zone, existing.name != name {
                throw CFNError("ValidationError", "odas-sim simulates one hosted zone per account; \(existing.name) exists")
            }
            let region = request.properties["VPCs"]?.listValue?.first?.mapValue?["VPCRegion"]?.scalarText
            let id = services.route53.createHostedZone(name: name, privateVPCRegion: region)
            return .init(type: request.type, physicalId: id, attributes: [
                "Id": .string(id), "NameServers": .list(["ns-1.awsdns-00.com", "ns-2.awsdns-00.net", "ns-3.awsdns-00.org", "ns-4.awsdns-00.co.uk"].map(CFNValue.string)),
            ])
        case "AWS::Route53::RecordSet", "AWS::Route53::RecordSetGroup":
            let records = try records(request, services)
            for record in records { services.route53.upsert(record) }
            let physicalId = request.type == "AWS::Route53::RecordSet" ? records.first?.name ?? "" : request.generatedName
            return .init(type: request.type, physicalId: physicalId, attributes: [:])
        default: // AWS::Route53::HealthCheck
            guard let config = request.properties["HealthCheckConfig"]?.mapValue else {
                _ = try request.requiredValue("HealthCheckConfig")
                return .init(type: request.type, physicalId: "", attributes: [:])
            }
            guard let address = config["IPAddress"]?.scalarText, let instance = services.ec2.instances.values.first(where: { $0.privateIPAddress == address }) else {
                throw CFNError("InvalidInput", "odas-sim probes health checks of simulated instances: HealthCheckConfig.IPAddress must be one's private address")
            }
            let interval = SimDuration.seconds(Int64(config["RequestInterval"]?.scalarText ?? "") ?? 30)
            guard interval == .seconds(30) || interval == .seconds(10) else {
                throw CFNError("InvalidInput", "Invalid parameter: RequestInterval must be 10 or 30")
            }
            let threshold = Int(config["FailureThreshold"]?.scalarText ?? "") ?? 3
            let id = String(request.generatedName.suffix(13)).lowercased() + "-0000-4000-8000-hc"
            services.route53.createHealthCheck(id: id, target: .host(instance.name), requestInterval: interval,
                                               failureThreshold: min(max(threshold, 1), 10), now: request.now)
            return .init(type: request.type, physicalId: id, attributes: ["HealthCheckId": .string(id)])
        }
    }

    /// Record values change in place (UPSERT); a record's name or type, or a zone's name, is a replacement.
    static func updatableProperties(_ type: String) -> Set<String> {
        switch type {
        case "AWS::Route53::RecordSet": return ["TTL", "ResourceRecords", "AliasTarget", "HealthCheckId", "Weight", "Comment"]
        case "AWS::Route53::RecordSetGroup": return ["RecordSets", "Comment"]
        case "AWS::Route53::HostedZone": return ["HostedZoneConfig", "HostedZoneTags", "QueryLoggingConfig"]
        default: return ["HealthCheckTags"]
        }
    }

    /// The old records go and the new ones are upserted, as one change batch.
    static func update(_ request: CFNResourceRequest, previous: CFNMap, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        guard let state = request.state else { throw CFNError("InternalFailure", "\(request.logicalId) has no physical resource to update") }
        guard request.type == "AWS::Route53::RecordSet" || request.type == "AWS::Route53::RecordSetGroup" else { return state }
        // Checked before anything changes: a bad new record leaves the old ones answering.
        let records = try records(request, services)
        var old = request
        old.properties = previous
        try delete(old, &services)
        for record in records { services.route53.upsert(record) }
        return state
    }

    /// The records a RecordSet (one) or a RecordSetGroup (its RecordSets, with the group's zone) stands for, checked.
    static func records(_ request: CFNResourceRequest, _ services: CFNServices) throws(CFNError) -> [Route53Record] {
        guard request.type == "AWS::Route53::RecordSetGroup" else { return [try record(request.properties, services, request.logicalId)] }
        var records: [Route53Record] = []
        for item in request.properties["RecordSets"]?.listValue ?? [] {
            guard var fields = item.mapValue else { continue }
            for key in ["HostedZoneId", "HostedZoneName"] where fields[key] == nil { fields[key] = request.properties[key] }
            records.append(try record(fields, services, request.logicalId))
        }
        return records
    }

    static func delete(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) {
        guard let id = request.state?.physicalId else { return }
        switch request.type {
        case "AWS::Route53::HostedZone":
            do { try services.route53.deleteHostedZone(id) } catch { throw CFNError(error.code, error.message) }
        case "AWS::Route53::RecordSet":
            let record = try? record(request.properties, services, request.logicalId)
            _ = services.route53.delete(name: id, type: request.string("Type") ?? "A", setIdentifier: record?.setIdentifier)
        case "AWS::Route53::RecordSetGroup":
            for item in request.properties["RecordSets"]?.listValue ?? [] {
                guard let fields = item.mapValue, let name = fields["Name"]?.scalarText, let type = fields["Type"]?.scalarText else { continue }
                _ = services.route53.delete(name: fqdn(name), type: type, setIdentifier: fields["SetIdentifier"]?.scalarText)
            }
        default:
            services.route53.deleteHealthCheck(id)
        }
    }
}
