import Foundation

/// The EKS REST-JSON API for `aws eks describe-cluster` and `aws eks list-nodegroups`.
public enum EKSRestAdapter {
    public static func handle(_ request: WireRequest, eks: EKSService, controlPlaneUp: (String) -> Bool,
                              requestId: String) -> WireResponse {
        let parts = request.rawPath.split(separator: "/").map { PercentEncoding.decode($0) }
        guard request.method == "GET", parts.first == "clusters", parts.count >= 2 else {
            return error("InvalidRequestException", "\(request.method) \(request.rawPath) is not simulated yet.", 400, requestId)
        }
        guard let cluster = eks.clusters[parts[1]] else {
            return error("ResourceNotFoundException", "No cluster found for name: \(parts[1]).", 404, requestId)
        }
        if parts.count == 2 {
            return json(["cluster": [
                "name": cluster.name, "arn": "arn:aws:eks:\(cluster.region):123456789012:cluster/\(cluster.name)",
                "endpoint": cluster.endpoint, "version": "1.32", "platformVersion": "eks.1",
                "status": controlPlaneUp(cluster.name) ? "ACTIVE" : "UPDATING",
                "resourcesVpcConfig": ["endpointPublicAccess": false, "endpointPrivateAccess": true],
            ] as [String: Any]])
        }
        if parts.count == 3, parts[2] == "node-groups" {
            return json(["nodegroups": cluster.nodeGroups])
        }
        return error("InvalidRequestException", "\(request.rawPath) is not simulated yet.", 400, requestId)
    }

    static func json(_ value: [String: Any]) -> WireResponse {
        let body = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data("{}".utf8)
        return WireResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(body))
    }

    /// An error in this API's shape.
    public static func error(_ code: String, _ message: String, _ status: Int, _ requestId: String) -> WireResponse {
        let body = (try? JSONSerialization.data(withJSONObject: ["message": message], options: [])) ?? Data()
        return WireResponse(status: status, headers: [("Content-Type", "application/json"), ("x-amzn-ErrorType", code),
                                                      ("x-amzn-RequestId", requestId)], body: Array(body))
    }
}
