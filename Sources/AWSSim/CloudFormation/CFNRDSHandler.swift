/// AWS::RDS::DBInstance (MySQL; Multi-AZ with a standby), AWS::RDS::DBCluster
/// (Aurora MySQL), and the groups they name (DBSubnetGroup, DBParameterGroup,
/// DBClusterParameterGroup: recorded, not enforced), in the RDS fake. The
/// instance's AZs come from AvailabilityZone (or the region's first zone),
/// the standby's from the region's next zone. Creating into an AZ that is
/// down fails as RDS does for lack of capacity; deleting with DeletionPolicy
/// Snapshot leaves a DB snapshot.
enum CFNRDSHandler: CFNResourceHandler {
    static let types = ["AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::RDS::DBSubnetGroup", "AWS::RDS::DBParameterGroup",
                        "AWS::RDS::DBClusterParameterGroup", "AWS::RDS::GlobalCluster"]

    static func rds<T>(_ body: () throws(RDSError) -> T) throws(CFNError) -> T {
        do { return try body() } catch { throw CFNError(error.code, error.message) }
    }

    static func create(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        switch request.type {
        case "AWS::RDS::GlobalCluster":
            let identifier = (request.string("GlobalClusterIdentifier") ?? String(request.generatedName.prefix(63))).lowercased()
            guard let source = request.string("SourceDBClusterIdentifier") else {
                throw CFNError("ValidationError", "odas-sim simulates global clusters created from an existing Aurora cluster: SourceDBClusterIdentifier is required")
            }
            try rds { () throws(RDSError) in try services.rds.createGlobalCluster(identifier, sourceCluster: source.lowercased()) }
            return .init(type: request.type, physicalId: identifier, attributes: [:])
        case "AWS::RDS::DBSubnetGroup", "AWS::RDS::DBParameterGroup", "AWS::RDS::DBClusterParameterGroup":
            let key = request.type == "AWS::RDS::DBSubnetGroup" ? "DBSubnetGroupName" : request.type == "AWS::RDS::DBParameterGroup" ? "DBParameterGroupName" : "DBClusterParameterGroupName"
            _ = try request.required(request.type == "AWS::RDS::DBSubnetGroup" ? "DBSubnetGroupDescription" : "Description")
            let name = (request.string(key) ?? request.generatedName).lowercased()
            return .init(type: request.type, physicalId: String(name.prefix(255)), attributes: [:])
        default:
            let aurora = request.type == "AWS::RDS::DBCluster"
            let engine = try request.required("Engine")
            guard aurora ? engine == "aurora-mysql" : engine == "mysql" else {
                throw CFNError("InvalidParameterCombination", "odas-sim simulates the \(aurora ? "aurora-mysql" : "mysql") engine for \(request.type), not \(engine)")
            }
            let identifier = (request.string(aurora ? "DBClusterIdentifier" : "DBInstanceIdentifier")
                              ?? String(request.generatedName.prefix(63))).lowercased()
            let zones = request.availabilityZones
            let primary = request.string("AvailabilityZone") ?? request.strings("AvailabilityZones").first ?? zones.first ?? ""
            guard zones.contains(primary) else {
                throw CFNError("InvalidParameterValue", "Invalid availability zone \(primary) for region \(request.region); it has \(zones.joined(separator: ", "))")
            }
            if !request.faults.isUp(.availabilityZone(primary)) {
                throw CFNError("InsufficientDBInstanceCapacity", "Cannot create a database instance because there is not enough capacity available in the Availability Zone \(primary).")
            }
            if aurora, let global = request.string("GlobalClusterIdentifier")?.lowercased(), let source = services.rds.globalClusters[global],
               services.rds.instances[source]?.region != request.region {
                // A secondary cluster of a global database: the primary's replica in this region.
                try rds { () throws(RDSError) in try services.rds.addGlobalSecondary(global, region: request.region, availabilityZone: primary) }
                let endpoint = "\(identifier).cluster-\(String(request.generatedName.suffix(12)).lowercased()).\(request.region).rds.amazonaws.com"
                return .init(type: request.type, physicalId: identifier, attributes: [
                    "Endpoint.Address": .string(endpoint), "Endpoint.Port": .string("3306"),
                    "DBClusterArn": .string("arn:aws:rds:\(request.region):\(request.account):cluster:\(identifier)"),
                    "DBClusterResourceId": .string("cluster-" + String(request.generatedName.suffix(13))),
                    "ReadEndpoint.Address": .string(endpoint.replacingOccurrences(of: ".cluster-", with: ".cluster-ro-")),
                    "GlobalSecondaryOf": .string(global),
                ])
            }
            if aurora {
                let readers = zones.filter { $0 != primary }.prefix(2)
                try rds { () throws(RDSError) in
                    try services.rds.createDBCluster(identifier: identifier, region: request.region, writerAZ: primary, readerAZs: Array(readers),
                                                     globalSecondaryRegion: nil, globalSecondaryAZ: nil)
                }
            } else {
                let standby = request.string("MultiAZ") == "true" ? zones.first { $0 != primary } : nil
                try rds { () throws(RDSError) in
                    try services.rds.createDBInstance(identifier: identifier, engine: engine, region: request.region, primaryAZ: primary, standbyAZ: standby)
                }
            }
            let endpoint = services.rds.instances[identifier]?.endpoint ?? ""
            let arn = "arn:aws:rds:\(request.region):\(request.account):\(aurora ? "cluster" : "db"):\(identifier)"
            var attributes: [String: CFNValue] = ["Endpoint.Address": .string(endpoint), "Endpoint.Port": .string("3306")]
            if aurora {
                attributes["DBClusterArn"] = .string(arn)
                attributes["DBClusterResourceId"] = .string("cluster-" + String(request.generatedName.suffix(13)))
                attributes["ReadEndpoint.Address"] = .string(endpoint.replacingOccurrences(of: identifier + ".", with: identifier + ".cluster-ro-"))
            } else {
                attributes["DBInstanceArn"] = .string(arn)
                attributes["DbiResourceId"] = .string("db-" + String(request.generatedName.suffix(13)))
                attributes["Endpoint.HostedZoneId"] = .string("Z1PVIF0B656C1W")
            }
            return .init(type: request.type, physicalId: identifier, attributes: attributes)
        }
    }

    static func delete(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) {
        guard let id = request.state?.physicalId else { return }
        if request.type == "AWS::RDS::GlobalCluster" {
            try rds { () throws(RDSError) in try services.rds.deleteGlobalCluster(id) }
            return
        }
        if let global = request.state?.attributes["GlobalSecondaryOf"]?.scalarText {
            services.rds.removeGlobalSecondary(global)
            return
        }
        guard request.type == "AWS::RDS::DBInstance" || request.type == "AWS::RDS::DBCluster" else { return }
        guard services.rds.instances[id] != nil else { return }
        // DeletionPolicy Snapshot: CloudFormation names the snapshot after the stack and resource.
        let snapshot = request.deletionPolicy == "Snapshot" ? "\(request.stackName)-\(request.logicalId.lowercased())-snapshot" : nil
        try rds { () throws(RDSError) in try services.rds.deleteDBInstance(id, finalSnapshot: snapshot, now: request.now) }
    }
}
