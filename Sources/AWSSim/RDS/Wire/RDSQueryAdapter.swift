import SimCore

/// The RDS Query API for `aws rds describe-db-instances/describe-db-clusters/
/// reboot-db-instance --force-failover/failover-db-cluster/describe-global-clusters`.
public enum RDSQueryAdapter {
    static let namespace = "http://rds.amazonaws.com/doc/2014-10-31/"

    /// `epochUnixMilliseconds`: the wall time of virtual zero, for event dates.
    public static func handle(_ query: QueryRequest, rds: inout RDSService, faults: FaultModel, now: SimInstant,
                              requestId: String, epochUnixMilliseconds: Int64 = 0) -> WireResponse {
        guard let action = query.action else {
            return QueryResponse.error(code: "MissingAction", message: "The request must contain the parameter Action.", requestId: requestId)
        }
        func notFound(_ kind: String, _ id: String) -> WireResponse {
            QueryResponse.error(code: "\(kind)NotFoundFault", message: "\(kind) \(id) not found.", status: 404, requestId: requestId)
        }
        switch action {
        case "DescribeDBInstances":
            let wanted = query["DBInstanceIdentifier"]
            let instances = rds.instances.values.filter { !$0.isAurora && (wanted == nil || $0.identifier == wanted) }
                .sorted { $0.identifier < $1.identifier }
            if let wanted, instances.isEmpty { return notFound("DBInstance", wanted) }
            return QueryResponse.result(action: action, namespace: namespace, children: [
                XMLElement("DBInstances", children: instances.map(instanceElement)),
            ], requestId: requestId)
        case "DescribeDBClusters":
            let wanted = query["DBClusterIdentifier"]
            let clusters = rds.instances.values.filter { $0.isAurora && (wanted == nil || $0.identifier == wanted) }
                .sorted { $0.identifier < $1.identifier }
            if let wanted, clusters.isEmpty { return notFound("DBCluster", wanted) }
            return QueryResponse.result(action: action, namespace: namespace, children: [
                XMLElement("DBClusters", children: clusters.map(clusterElement)),
            ], requestId: requestId)
        case "DescribeGlobalClusters":
            let globals = rds.instances.values.filter { $0.globalSecondaryRegion != nil }.sorted { $0.identifier < $1.identifier }
            return QueryResponse.result(action: action, namespace: namespace, children: [
                XMLElement("GlobalClusters", children: globals.map { cluster in
                    XMLElement("GlobalCluster", children: [
                        .leaf("GlobalClusterIdentifier", cluster.identifier + "-global"), .leaf("Engine", cluster.engine),
                        .leaf("Status", "available"),
                        XMLElement("GlobalClusterMembers", children: [
                            XMLElement("member", children: [.leaf("DBClusterArn", arn(cluster, region: cluster.region)), .leaf("IsWriter", "true")]),
                            XMLElement("member", children: [.leaf("DBClusterArn", arn(cluster, region: cluster.globalSecondaryRegion ?? "")),
                                                            .leaf("IsWriter", "false")]),
                        ]),
                    ])
                }),
            ], requestId: requestId)
        case "RebootDBInstance", "FailoverDBCluster":
            let key = action == "RebootDBInstance" ? "DBInstanceIdentifier" : "DBClusterIdentifier"
            guard let id = query[key] else {
                return QueryResponse.error(code: "MissingParameter", message: "\(key) is required", requestId: requestId)
            }
            guard let instance = rds.instances[id], instance.isAurora == (action == "FailoverDBCluster") else {
                return notFound(action == "RebootDBInstance" ? "DBInstance" : "DBCluster", id)
            }
            let forced = action == "FailoverDBCluster" || query["ForceFailover"] == "true"
            if forced, instance.failoverTarget(faults) == nil {
                return QueryResponse.error(code: action == "RebootDBInstance" ? "InvalidDBInstanceState" : "InvalidDBClusterStateFault",
                                           message: "\(id) has no in-sync standby or reader to fail over to", requestId: requestId)
            }
            guard instance.status == .available else {
                return QueryResponse.error(code: action == "RebootDBInstance" ? "InvalidDBInstanceState" : "InvalidDBClusterStateFault",
                                           message: "\(id) is \(instance.statusName)", requestId: requestId)
            }
            do { try rds.crashPrimary(id, faults: faults, now: now) } catch {
                return QueryResponse.error(code: error.code, message: error.message, requestId: requestId)
            }
            guard let after = rds.instances[id] else { return notFound("DBInstance", id) }
            let element = action == "RebootDBInstance" ? instanceElement(after) : clusterElement(after)
            return QueryResponse.result(action: action, namespace: namespace, children: [element], requestId: requestId)
        case "DescribeEvents":
            return describeEvents(query, rds: rds, now: now, requestId: requestId, epochUnixMilliseconds: epochUnixMilliseconds)
        default:
            return QueryResponse.error(code: "InvalidAction", message: "The action \(action) is not valid (not simulated yet).",
                                       requestId: requestId)
        }
    }

    /// DescribeEvents: the events of the last `Duration` minutes (default 60,
    /// as in the API reference), optionally of one source, oldest first.
    static func describeEvents(_ query: QueryRequest, rds: RDSService, now: SimInstant, requestId: String,
                               epochUnixMilliseconds: Int64) -> WireResponse {
        var minutes: Int64 = 60
        if let text = query["Duration"] {
            guard let value = Int64(text), value >= 0 else {
                return QueryResponse.error(code: "InvalidParameterValue", message: "Duration must be a whole number of minutes", requestId: requestId)
            }
            minutes = value
        }
        let from = now - .minutes(minutes)
        let events = rds.eventLog.filter { event in
            event.at >= from && (query["SourceIdentifier"].map { $0 == event.sourceIdentifier } ?? true)
                && (query["SourceType"].map { $0 == event.sourceType } ?? true)
        }
        return QueryResponse.result(action: "DescribeEvents", namespace: namespace, children: [
            XMLElement("Events", children: events.map { event in
                let region = rds.instances[event.sourceIdentifier]?.region ?? "us-east-1"
                return XMLElement("Event", children: [
                    .leaf("SourceIdentifier", event.sourceIdentifier), .leaf("SourceType", event.sourceType),
                    .leaf("Message", event.message),
                    XMLElement("EventCategories", children: event.categories.map { .leaf("EventCategory", $0) }),
                    .leaf("Date", HTTPDate.iso8601(unixMilliseconds: epochUnixMilliseconds + event.at.nanosecondsSinceStart / 1_000_000)),
                    .leaf("SourceArn", "arn:aws:rds:\(region):123456789012:\(event.sourceType == "db-cluster" ? "cluster" : "db"):\(event.sourceIdentifier)"),
                ])
            }),
        ], requestId: requestId)
    }

    static func arn(_ instance: DBInstance, region: String) -> String {
        "arn:aws:rds:\(region):123456789012:\(instance.isAurora ? "cluster" : "db"):\(instance.identifier)"
    }

    static func instanceElement(_ instance: DBInstance) -> XMLElement {
        var children: [XMLElement] = [
            .leaf("DBInstanceIdentifier", instance.identifier), .leaf("DBInstanceClass", "db.r6g.large"),
            .leaf("Engine", instance.engine), .leaf("DBInstanceStatus", instance.statusName),
            XMLElement("Endpoint", children: [.leaf("Address", instance.endpoint), .leaf("Port", "3306")]),
            .leaf("AvailabilityZone", instance.primaryAZ), .leaf("MultiAZ", instance.multiAZ ? "true" : "false"),
            .leaf("DBInstanceArn", arn(instance, region: instance.region)),
        ]
        if let standby = instance.standbyAZ { children.append(.leaf("SecondaryAvailabilityZone", standby)) }
        return XMLElement("DBInstance", children: children)
    }

    static func clusterElement(_ cluster: DBInstance) -> XMLElement {
        let members = [XMLElement("DBClusterMember", children: [
            .leaf("DBInstanceIdentifier", "\(cluster.identifier)-\(cluster.primaryAZ)"), .leaf("IsClusterWriter", "true"),
        ])] + cluster.readerAZs.map { az in
            XMLElement("DBClusterMember", children: [.leaf("DBInstanceIdentifier", "\(cluster.identifier)-\(az)"),
                                                     .leaf("IsClusterWriter", "false")])
        }
        return XMLElement("DBCluster", children: [
            .leaf("DBClusterIdentifier", cluster.identifier), .leaf("Engine", cluster.engine), .leaf("Status", cluster.statusName),
            .leaf("Endpoint", cluster.endpoint), .leaf("ReaderEndpoint", cluster.endpoint.replacingOccurrences(of: "\(cluster.identifier).", with: "\(cluster.identifier).cluster-ro-")),
            .leaf("Port", "3306"), .leaf("MultiAZ", cluster.readerAZs.isEmpty ? "false" : "true"),
            XMLElement("AvailabilityZones", children: ([cluster.primaryAZ] + cluster.readerAZs).map { .leaf("AvailabilityZone", $0) }),
            XMLElement("DBClusterMembers", children: members), .leaf("DBClusterArn", arn(cluster, region: cluster.region)),
        ])
    }
}

/// The Auto Scaling Query API for `aws autoscaling describe-auto-scaling-groups`.
public enum AutoScalingQueryAdapter {
    public static func handle(_ query: QueryRequest, autoScaling: AutoScalingService, ec2: EC2Service, requestId: String) -> WireResponse {
        guard query.action == "DescribeAutoScalingGroups" else {
            return QueryResponse.error(code: "InvalidAction", message: "The action \(query.action ?? "") is not valid (not simulated yet).",
                                       requestId: requestId)
        }
        let wanted = Set(query.list("AutoScalingGroupNames"))
        let groups = autoScaling.groups.values.filter { wanted.isEmpty || wanted.contains($0.name) }.sorted { $0.name < $1.name }
        return QueryResponse.result(action: "DescribeAutoScalingGroups", namespace: "http://autoscaling.amazonaws.com/doc/2011-01-01/", children: [
            XMLElement("AutoScalingGroups", children: groups.map { group in
                XMLElement("member", children: [
                    .leaf("AutoScalingGroupName", group.name), .leaf("MinSize", String(group.minSize)),
                    .leaf("MaxSize", String(group.maxSize)), .leaf("DesiredCapacity", String(group.desiredCapacity)),
                    .leaf("DefaultCooldown", "300"), .leaf("HealthCheckType", "EC2"), .leaf("HealthCheckGracePeriod", "300"),
                    .leaf("CreatedTime", "2026-01-01T00:00:00.000Z"),
                    XMLElement("AvailabilityZones", children: group.subnets.map { .leaf("member", $0.availabilityZone) }),
                    .leaf("VPCZoneIdentifier", group.subnets.map(\.id).joined(separator: ",")),
                    XMLElement("TargetGroupARNs", children: group.targetGroupARNs.map { .leaf("member", $0) }),
                    XMLElement("Instances", children: group.instances.compactMap { ec2.instances[$0] }.map { instance in
                        XMLElement("member", children: [
                            .leaf("InstanceId", instance.id), .leaf("AvailabilityZone", instance.availabilityZone),
                            .leaf("LifecycleState", instance.state == .running ? "InService" : instance.state == .pending ? "Pending" : "Terminating"),
                            .leaf("HealthStatus", instance.state == .stopped ? "Unhealthy" : "Healthy"),
                            .leaf("InstanceType", instance.instanceType), .leaf("ProtectedFromScaleIn", "false"),
                        ])
                    }),
                ])
            }),
        ], requestId: requestId)
    }
}
