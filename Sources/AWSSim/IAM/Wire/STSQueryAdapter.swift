import SimCore

/// The STS Query API: `GetCallerIdentity` and `AssumeRole`
/// (`aws sts get-caller-identity`, `aws sts assume-role`).
public enum STSQueryAdapter {
    static let namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

    public static func handle(_ query: QueryRequest, sts: inout STSService, iam: IAMService, caller: IAMPrincipal,
                              clock: IAMQueryAdapter.Clock, requestId: String) -> WireResponse {
        switch query.action {
        case "GetCallerIdentity":
            return QueryResponse.result(action: "GetCallerIdentity", namespace: namespace, children: [
                .leaf("Arn", caller.arn), .leaf("UserId", caller.userId), .leaf("Account", caller.account),
            ], requestId: requestId)
        case "AssumeRole":
            guard let roleArn = query["RoleArn"], let sessionName = query["RoleSessionName"] else {
                return QueryResponse.error(code: "ValidationError",
                                           message: "1 validation error detected: Value null at '\(query["RoleArn"] == nil ? "roleArn" : "roleSessionName")' failed to satisfy constraint: Member must not be null",
                                           requestId: requestId)
            }
            var duration: Int?
            if let text = query["DurationSeconds"] {
                guard let value = Int(text) else {
                    return QueryResponse.error(code: "ValidationError", message: "DurationSeconds must be a number", requestId: requestId)
                }
                duration = value
            }
            do throws(STSError) {
                let session = try sts.assumeRole(iam: iam, caller: caller, roleArn: roleArn, sessionName: sessionName,
                                                 durationSeconds: duration, now: clock.now)
                return QueryResponse.result(action: "AssumeRole", namespace: namespace, children: [
                    XMLElement("Credentials", children: [
                        .leaf("AccessKeyId", session.accessKeyId), .leaf("SecretAccessKey", session.secretAccessKey),
                        .leaf("SessionToken", session.sessionToken), .leaf("Expiration", clock.date(session.expiration)),
                    ]),
                    XMLElement("AssumedRoleUser", children: [.leaf("AssumedRoleId", session.assumedRoleId), .leaf("Arn", session.assumedRoleArn)]),
                    .leaf("PackedPolicySize", "0"),
                ], requestId: requestId)
            } catch {
                return QueryResponse.error(code: error.code, message: error.message, status: error.status, requestId: requestId)
            }
        default:
            return QueryResponse.error(code: "InvalidAction", message: "Could not find operation \(query.action ?? "(none)") for version 2011-06-15",
                                       requestId: requestId)
        }
    }
}
