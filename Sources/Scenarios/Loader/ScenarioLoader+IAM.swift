import Foundation
import SimCore
import Yams
import AWSSim

/// `iam:` — users, roles and their policy documents.
extension ScenarioLoader {
    /// A policy document: a managed policy ARN, or a document written as YAML (or JSON text).
    static func readPolicy(_ policyNode: SourceNode, _ d: inout Diagnostics) -> String? {
        var text: String?
        if case .scalar(let value, _, _) = policyNode.value {
            if value.hasPrefix("arn:") {
                text = ManagedPolicies.documents[value]
                if text == nil { d.error(policyNode, unknownMessage("managed policy", value, ManagedPolicies.documents.keys.sorted())) }
            } else { text = value }
        } else {
            text = JSONFromNode.render(policyNode)
        }
        guard let text else { return nil }
        do { _ = try PolicyDocument.parse(text); return text } catch {
            d.error(policyNode, error.description)
            return nil
        }
    }

    static func readPolicies(_ reader: inout MappingReader, _ d: inout Diagnostics) -> [String] {
        guard let list = reader.child("policies").flatMap({ Read.list($0, &d, what: "policies") }) else { return [] }
        return list.compactMap { readPolicy($0, &d) }
    }

    /// IAM's size quotas (characters without white space), as LimitExceeded would report them.
    static func checkPolicySize(_ policies: [String], limit: Int, what: String, _ node: SourceNode, _ d: inout Diagnostics) {
        let size = policies.map { $0.unicodeScalars.filter { !$0.properties.isWhitespace }.count }.reduce(0, +)
        if size > limit { d.error(node, "LimitExceeded: \(what) total \(size) characters; IAM allows \(limit)") }
    }

    /// The trust policy of EC2 instances (`trust: ec2`), as the IAM console writes it.
    static let ec2TrustPolicy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#

    /// `iam`: `users` (people and tools with access keys; ids 16 to 128
    /// uppercase letters and digits, AKIA… on AWS; secrets at least 8
    /// characters) and `roles` (trust, policies, permissionsBoundary,
    /// instanceProfile, buckets).
    static func readIAM(_ node: SourceNode, bucketNames: [String], _ d: inout Diagnostics) -> (users: [IAMUserSpec], roles: [IAMRoleSpec]) {
        guard var iam = MappingReader(node, allowedKeys: ["users", "roles"], what: "an iam section", diagnostics: &d) else { return ([], []) }
        var users: [IAMUserSpec] = []
        var keys: Set<String> = []
        if let list = iam.child("users").flatMap({ Read.list($0, &d, what: "IAM users") }) {
            for item in list {
                guard var u = MappingReader(item, allowedKeys: ["name", "accessKeyId", "secretAccessKey", "policies"], what: "an IAM user",
                                            diagnostics: &d) else { continue }
                let name = u.required("name", &d).flatMap { Read.name($0, &d, what: "a user name") }
                var accessKeyId: String?
                if let keyNode = u.required("accessKeyId", &d), let key = Read.string(keyNode, &d) {
                    if (16...128).contains(key.count), key.allSatisfy({ ($0.isUppercase || $0.isNumber) && $0.isASCII }) {
                        accessKeyId = key
                    } else {
                        d.error(keyNode, "an access key id is 16 to 128 uppercase letters and digits, e.g. AKIAIOSFODNN7EXAMPLE")
                    }
                }
                var secret: String?
                if let secretNode = u.required("secretAccessKey", &d), let text = Read.string(secretNode, &d) {
                    if text.count >= 8, !text.contains(where: { $0.isWhitespace }) { secret = text }
                    else { d.error(secretNode, "a secret access key is at least 8 characters without spaces") }
                }
                let policies = readPolicies(&u, &d)
                checkPolicySize(policies, limit: IAMService.userInlineSize, what: "a user's inline policies", item, &d)
                u.reportUnknownKeys(&d)
                guard let name, let accessKeyId, let secret else { continue }
                guard keys.insert(accessKeyId).inserted else {
                    d.error(item, "access key id \(accessKeyId) is used twice")
                    continue
                }
                if users.contains(where: { $0.name == name }) { d.error(item, "user name \"\(name)\" is used twice"); continue }
                users.append(IAMUserSpec(name: name, accessKeyId: accessKeyId, secretAccessKey: secret, policies: policies))
            }
        }
        var roles: [IAMRoleSpec] = []
        if let list = iam.child("roles").flatMap({ Read.list($0, &d, what: "IAM roles") }) {
            for item in list {
                guard var r = MappingReader(item, allowedKeys: ["name", "trust", "policies", "permissionsBoundary", "instanceProfile", "buckets"],
                                            what: "an IAM role", diagnostics: &d) else { continue }
                let name = r.required("name", &d).flatMap { Read.name($0, &d, what: "a role name") }
                var trust: String?
                if let trustNode = r.required("trust", &d, hint: "ec2 (instances may assume it) or a trust policy document") {
                    if case .scalar(let value, _, _) = trustNode.value, value == "ec2" { trust = ec2TrustPolicy }
                    else if let text = readPolicy(trustNode, &d) {
                        if let document = try? PolicyDocument.parse(text), document.statements.contains(where: { $0.principals == nil }) {
                            d.error(trustNode, "MalformedPolicyDocument: Has prohibited field Resource or missing Principal (a trust policy names who may assume the role)")
                        } else { trust = text }
                    }
                }
                let policies = readPolicies(&r, &d)
                checkPolicySize(policies, limit: IAMService.roleInlineSize, what: "a role's inline policies", item, &d)
                if let trust { checkPolicySize([trust], limit: IAMService.trustPolicySize, what: "a trust policy", item, &d) }
                let boundary = r.child("permissionsBoundary").flatMap { readPolicy($0, &d) }
                let profile = r.child("instanceProfile").flatMap { Read.name($0, &d, what: "an instance profile name") }
                var buckets: [String]?
                if let list = r.child("buckets").flatMap({ Read.list($0, &d, what: "bucket names") }) {
                    buckets = []
                    for bucketNode in list {
                        guard let bucket = Read.string(bucketNode, &d) else { continue }
                        if bucketNames.contains(bucket) { buckets?.append(bucket) }
                        else if !d.rejectedNames.contains(bucket) { d.error(bucketNode, unknownMessage("bucket", bucket, bucketNames)) }
                    }
                }
                r.reportUnknownKeys(&d)
                guard let name, let trust else { continue }
                if roles.contains(where: { $0.name == name }) { d.error(item, "role name \"\(name)\" is used twice"); continue }
                roles.append(IAMRoleSpec(name: name, trustPolicy: trust, policies: policies, permissionsBoundary: boundary,
                                         instanceProfile: profile ?? name, buckets: buckets))
            }
        }
        iam.reportUnknownKeys(&d)
        return (users, roles)
    }
}
