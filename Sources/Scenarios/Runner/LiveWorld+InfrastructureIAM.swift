import AWSSim
import SimCore

/// IAM on the infrastructure APIs `serve` offers (EC2, RDS, Auto Scaling,
/// Elastic Load Balancing, Route 53, EKS): each call is authorized with the caller's identity
/// policies and permissions boundary, as S3 and IAM calls are, and refused
/// in the service's own error shape. Actions and resource ARNs follow the
/// Service Authorization Reference ("Actions, resources, and condition keys
/// for Amazon RDS", … for Amazon EC2, Route 53, Amazon EKS, Auto Scaling).
extension LiveWorld {
    /// The action and resource a request needs (`rds:RebootDBInstance` on
    /// `arn:aws:rds:us-west-2:123456789012:db:odas-catalog`); nil when the
    /// request names no operation (the service answers its own error).
    public static func infrastructureRequirement(service: String, request: WireRequest, body: [UInt8],
                                                 region: String) -> (action: String, resource: String)? {
        switch service {
        case "ec2", "rds", "autoscaling", "cloudformation", "elasticloadbalancing":
            let query = QueryRequest(request, body: body)
            guard let action = query.action else { return nil }
            // The first resource the call names; calls naming none (Describe* of EC2) are on "*".
            let resource = queryResources[service]?.lazy.compactMap { parameter, arn in
                query[parameter].map { arn(region, World.account, $0) }
            }.first
            return ("\(service):\(action)", resource ?? "*")
        case "route53":
            return route53Requirement(request)
        case "eks":
            return eksRequirement(request, region: region)
        default:
            return nil
        }
    }

    /// Per Query service, the parameters that name a resource and its ARN (region, account, value), in precedence order.
    static let queryResources: [String: [(parameter: String, arn: @Sendable (String, String, String) -> String)]] = [
        "ec2": [("InstanceId.1", { "arn:aws:ec2:\($0):\($1):instance/\($2)" })],
        "rds": [("GlobalClusterIdentifier", { "arn:aws:rds::\($1):global-cluster:\($2)" }),
                ("DBClusterIdentifier", { "arn:aws:rds:\($0):\($1):cluster:\($2)" }),
                ("DBInstanceIdentifier", { "arn:aws:rds:\($0):\($1):db:\($2)" })],
        "autoscaling": [("AutoScalingGroupName", { "arn:aws:autoscaling:\($0):\($1):autoScalingGroup:*:autoScalingGroupName/\($2)" })],
        // A stack name (or its id) names the stack's ARN, any id (Service Authorization Reference, AWS CloudFormation).
        "cloudformation": [("StackName", { $2.hasPrefix("arn:") ? $2 : "arn:aws:cloudformation:\($0):\($1):stack/\($2)/*" })],
        // Elastic Load Balancing names its resources by ARN.
        "elasticloadbalancing": [("TargetGroupArn", { $2 }), ("LoadBalancerArn", { $2 }), ("LoadBalancerArns.member.1", { $2 }),
                                 ("TargetGroupArns.member.1", { $2 })],
    ]

    /// Route 53's REST paths as IAM actions; its resources are global ARNs.
    static func route53Requirement(_ request: WireRequest) -> (action: String, resource: String)? {
        let parts = Array(request.rawPath.split(separator: "/").map(String.init).dropFirst())
        switch (request.method, parts.count, parts.first) {
        case ("GET", 1, "hostedzone"): return ("route53:ListHostedZones", "*")
        case ("POST", 1, "hostedzone"): return ("route53:CreateHostedZone", "*")
        case ("GET", 2, "hostedzone"): return ("route53:GetHostedZone", "arn:aws:route53:::hostedzone/\(parts[1])")
        case ("GET", 3, "hostedzone") where parts[2] == "rrset":
            return ("route53:ListResourceRecordSets", "arn:aws:route53:::hostedzone/\(parts[1])")
        case ("POST", 3, "hostedzone") where parts[2] == "rrset":
            return ("route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/\(parts[1])")
        case ("GET", 1, "healthcheck"): return ("route53:ListHealthChecks", "*")
        case ("GET", 2, "healthcheck"): return ("route53:GetHealthCheck", "arn:aws:route53:::healthcheck/\(parts[1])")
        case ("GET", 3, "healthcheck") where parts[2] == "status":
            return ("route53:GetHealthCheckStatus", "arn:aws:route53:::healthcheck/\(parts[1])")
        case ("GET", 2, "change"): return ("route53:GetChange", "arn:aws:route53:::change/\(parts[1])")
        default: return nil
        }
    }

    /// EKS's REST paths as IAM actions on the cluster's or node group's ARN.
    static func eksRequirement(_ request: WireRequest, region: String) -> (action: String, resource: String)? {
        let parts = request.rawPath.split(separator: "/").map { PercentEncoding.decode($0) }
        guard request.method == "GET", parts.first == "clusters" else { return nil }
        let cluster = { (name: String) in "arn:aws:eks:\(region):\(World.account):cluster/\(name)" }
        switch parts.count {
        case 1: return ("eks:ListClusters", "*")
        case 2: return ("eks:DescribeCluster", cluster(parts[1]))
        case 3 where parts[2] == "node-groups": return ("eks:ListNodegroups", cluster(parts[1]))
        case 4 where parts[2] == "node-groups":
            return ("eks:DescribeNodegroup", "arn:aws:eks:\(region):\(World.account):nodegroup/\(parts[1])/\(parts[3])/*")
        default: return nil
        }
    }

    /// IAM's decision on an infrastructure call; the refusal in the shape of
    /// the service's protocol, or nil when allowed.
    public func authorizeInfrastructure(service: String, request: WireRequest, body: [UInt8], caller: IAMPrincipal,
                                        region: String, requestId: String) -> WireResponse? {
        guard let needed = Self.infrastructureRequirement(service: service, request: request, body: body, region: region) else {
            return nil
        }
        guard let message = identityDenial(caller, action: needed.action, resource: needed.resource) else { return nil }
        switch service {
        case "ec2":
            // EC2's code and wording (AWSEC2/latest/APIReference/errors-overview.html).
            return QueryResponse.ec2Error(code: "UnauthorizedOperation",
                                          message: "You are not authorized to perform this operation. \(message)", status: 403,
                                          requestId: requestId)
        case "route53":
            return Route53RestAdapter.error("AccessDenied", message, 403, requestId)
        case "eks":
            return EKSRestAdapter.error("AccessDeniedException", message, 403, requestId)
        default:
            return QueryResponse.error(code: "AccessDenied", message: message, status: 403, requestId: requestId)
        }
    }

    /// IAM's decision on `action` by `caller` from its identity policies and
    /// boundary alone: nil when allowed, else AWS's AccessDenied message
    /// ("… because no identity-based policy allows …" or "… with an explicit deny …").
    func identityDenial(_ caller: IAMPrincipal, action: String, resource: String) -> String? {
        let policies = self.policies(of: caller)
        let check = AuthorizationRequest(principalArn: caller.arn, principalAccount: caller.account, action: action,
                                         resource: resource, resourceAccount: World.account, context: caller.contextKeys)
        let why: String
        switch PolicyEvaluator.evaluate(check, identityPolicies: policies.identity, permissionsBoundary: policies.boundary) {
        case .allow: return nil
        case .explicitDeny: why = "with an explicit deny in an identity-based policy"
        case .implicitDeny: why = "because no identity-based policy allows the \(action) action"
        }
        return "User: \(caller.arn) is not authorized to perform: \(action) on resource: \(resource) \(why)"
    }
}
