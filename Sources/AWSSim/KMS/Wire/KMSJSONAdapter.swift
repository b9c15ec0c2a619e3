import Foundation
import SimCore

/// KMS's JSON protocol (`POST /`, `X-Amz-Target: TrentService.<Operation>`,
/// `application/x-amz-json-1.1`): `aws kms create-key/describe-key/list-keys/
/// encrypt/decrypt/generate-data-key/enable-key/disable-key/schedule-key-deletion/
/// cancel-key-deletion/create-alias/list-aliases/create-grant/list-grants/
/// revoke-grant/replicate-key/get-key-policy/put-key-policy`. Every operation
/// on a key is authorized with the key policy, grants and the caller's IAM
/// policies (``KMSService/authorize(_:action:key:identityPolicies:context:)``).
public enum KMSJSONAdapter {
    public static func handle(_ request: WireRequest, body: [UInt8], kms: inout KMSService, caller: IAMPrincipal,
                              identityPolicies: [PolicyDocument], region: String, now: SimInstant,
                              epochUnixMilliseconds: Int64, requestId: String) -> WireResponse {
        let target = request.header("x-amz-target") ?? ""
        guard target.hasPrefix("TrentService.") else {
            return error(KMSError(type: "UnknownOperationException", message: ""), requestId)
        }
        let operation = String(target.dropFirst("TrentService.".count))
        let input: [String: Any]
        if body.isEmpty { input = [:] } else {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
                return error(KMSError(type: "SerializationException", message: "Start of structure or map found where not expected."), requestId)
            }
            input = object
        }
        func seconds(_ instant: SimInstant) -> Double {
            Double(epochUnixMilliseconds + instant.nanosecondsSinceStart / 1_000_000) / 1000
        }
        func string(_ name: String) throws(KMSError) -> String {
            guard let value = input[name] as? String, !value.isEmpty else {
                throw KMSError(type: "ValidationException",
                               message: "1 validation error detected: Value null at '\(name.prefix(1).lowercased() + name.dropFirst())' failed to satisfy constraint: Member must not be null")
            }
            return value
        }
        func blob(_ name: String) throws(KMSError) -> [UInt8] {
            guard let text = input[name] as? String, let bytes = Base64.decode(text) else {
                throw KMSError(type: "ValidationException", message: "1 validation error detected: Value at '\(name)' failed to satisfy constraint: Member must be base64 encoded")
            }
            return bytes
        }
        let context = (input["EncryptionContext"] as? [String: String]) ?? [:]
        func authorize(_ action: String, _ key: KMSService.Key) throws(KMSError) {
            let decision = kms.authorize(caller, action: "kms:\(action)", key: key, identityPolicies: identityPolicies)
            guard decision.isAllowed else {
                let why: String
                if case .explicitDeny = decision { why = "with an explicit deny" }
                else if case .implicitDeny(let reason) = decision { why = "because \(reason)" } else { why = "" }
                throw KMSError(type: "AccessDeniedException",
                               message: "User: \(caller.arn) is not authorized to perform: kms:\(action) on resource: \(key.arn) \(why)")
            }
        }
        func authorizeAccount(_ action: String) throws(KMSError) {
            let request = AuthorizationRequest(principalArn: caller.arn, principalAccount: caller.account, action: "kms:\(action)",
                                               resource: "*", resourceAccount: kms.account, context: caller.contextKeys)
            guard PolicyEvaluator.evaluate(request, identityPolicies: identityPolicies).isAllowed else {
                throw KMSError(type: "AccessDeniedException",
                               message: "User: \(caller.arn) is not authorized to perform: kms:\(action) on resource: * because no identity-based policy allows the kms:\(action) action")
            }
        }
        func keyed(_ action: String, field: String = "KeyId") throws(KMSError) -> KMSService.Key {
            let key = try kms.key(try string(field), region: region)
            try authorize(action, key)
            return key
        }
        do throws(KMSError) {
            let output: [String: Any]
            switch operation {
            case "CreateKey":
                try authorizeAccount("CreateKey")
                let spec = input["KeySpec"] as? String ?? input["CustomerMasterKeySpec"] as? String ?? "SYMMETRIC_DEFAULT"
                guard spec == "SYMMETRIC_DEFAULT" else {
                    throw KMSError(type: "UnsupportedOperationException", message: "odas-sim simulates symmetric keys only (KeySpec \(spec))")
                }
                let key = try kms.createKey(region: region, description: input["Description"] as? String ?? "",
                                            policy: input["Policy"] as? String, multiRegion: input["MultiRegion"] as? Bool ?? false, now: now)
                output = ["KeyMetadata": metadata(key, seconds)]
            case "DescribeKey":
                output = ["KeyMetadata": metadata(try keyed("DescribeKey"), seconds)]
            case "ListKeys":
                try authorizeAccount("ListKeys")
                let keys = kms.keys.values.filter { $0.region == region }.sorted { $0.keyId < $1.keyId }
                output = ["Keys": keys.map { ["KeyId": $0.keyId, "KeyArn": $0.arn] }, "Truncated": false]
            case "EnableKey", "DisableKey":
                let key = try keyed(operation)
                _ = try kms.setState(key.keyId, region: region, enabled: operation == "EnableKey")
                output = [:]
            case "ScheduleKeyDeletion":
                let key = try keyed(operation)
                let updated = try kms.scheduleDeletion(key.keyId, region: region, pendingWindowDays: input["PendingWindowInDays"] as? Int, now: now)
                output = ["KeyId": updated.arn, "KeyState": updated.state.rawValue, "DeletionDate": seconds(updated.deletionDate ?? now),
                          "PendingWindowInDays": input["PendingWindowInDays"] as? Int ?? 30]
            case "CancelKeyDeletion":
                let key = try keyed(operation)
                output = ["KeyId": try kms.cancelDeletion(key.keyId, region: region).arn]
            case "CreateAlias":
                let key = try keyed(operation, field: "TargetKeyId")
                try kms.createAlias(try string("AliasName"), keyId: key.keyId, region: region)
                output = [:]
            case "ListAliases":
                try authorizeAccount("ListAliases")
                let aliases = (kms.aliases[region] ?? [:]).sorted { $0.key < $1.key }
                output = ["Aliases": aliases.map { ["AliasName": $0.key, "AliasArn": "arn:aws:kms:\(region):\(kms.account):\($0.key)",
                                                     "TargetKeyId": $0.value] }, "Truncated": false]
            case "Encrypt":
                let key = try keyed(operation)
                let sealed = try kms.encrypt(key.keyId, region: region, plaintext: try blob("Plaintext"), context: context)
                output = ["CiphertextBlob": Base64.encode(sealed.blob), "KeyId": sealed.key.arn, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"]
            case "Decrypt":
                let ciphertext = try blob("CiphertextBlob")
                // The blob names its key: authorize against that key before opening it.
                try authorize("Decrypt", try kms.key(ofCiphertext: ciphertext, region: region))
                let opened = try kms.decrypt(ciphertext, region: region, keyId: input["KeyId"] as? String, context: context)
                output = ["Plaintext": Base64.encode(opened.plaintext), "KeyId": opened.key.arn, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"]
            case "GenerateDataKey":
                let key = try keyed(operation)
                let data = try kms.generateDataKey(key.keyId, region: region, keySpec: input["KeySpec"] as? String,
                                                   numberOfBytes: input["NumberOfBytes"] as? Int, context: context)
                output = ["Plaintext": Base64.encode(data.plaintext), "CiphertextBlob": Base64.encode(data.blob), "KeyId": data.key.arn]
            case "CreateGrant":
                let key = try keyed(operation)
                let grant = try kms.createGrant(key.keyId, region: region, grantee: try string("GranteePrincipal"),
                                                operations: input["Operations"] as? [String] ?? [], name: input["Name"] as? String)
                output = ["GrantId": grant.grantId, "GrantToken": "AQpAM2RhZTk1" + grant.grantId]
            case "ListGrants":
                let key = try keyed(operation)
                output = ["Grants": key.grants.map { grant -> [String: Any] in
                    ["GrantId": grant.grantId, "KeyId": key.arn, "GranteePrincipal": grant.granteePrincipal, "Operations": grant.operations,
                     "Name": grant.name ?? "", "IssuingAccount": "arn:aws:iam::\(kms.account):root"]
                }, "Truncated": false]
            case "RevokeGrant":
                let key = try keyed(operation)
                try kms.revokeGrant(key.keyId, region: region, grantId: try string("GrantId"))
                output = [:]
            case "ReplicateKey":
                let key = try keyed(operation)
                let replica = try kms.replicateKey(key.keyId, region: region, replicaRegion: try string("ReplicaRegion"), now: now)
                output = ["ReplicaKeyMetadata": metadata(replica, seconds), "ReplicaPolicy": replica.policy]
            case "GetKeyPolicy":
                output = ["Policy": try keyed(operation).policy, "PolicyName": "default"]
            case "PutKeyPolicy":
                let key = try keyed(operation)
                let text = try string("Policy")
                do { _ = try PolicyDocument.parse(text) } catch {
                    throw KMSError(type: "MalformedPolicyDocumentException", message: error.message)
                }
                try kms.putKeyPolicy(key.keyId, region: region, policy: text)
                output = [:]
            default:
                throw KMSError(type: "UnknownOperationException", message: "")
            }
            let data = (try? JSONSerialization.data(withJSONObject: output, options: [.sortedKeys])) ?? Data("{}".utf8)
            return WireResponse(status: 200, headers: [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", requestId)],
                                body: Array(data))
        } catch {
            return self.error(error, requestId)
        }
    }

    static func metadata(_ key: KMSService.Key, _ seconds: (SimInstant) -> Double) -> [String: Any] {
        var out: [String: Any] = [
            "AWSAccountId": key.arn.split(separator: ":")[4], "KeyId": key.keyId, "Arn": key.arn, "CreationDate": seconds(key.created),
            "Enabled": key.state == .enabled, "Description": key.description, "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": key.state.rawValue,
            "Origin": "AWS_KMS", "KeyManager": "CUSTOMER", "KeySpec": "SYMMETRIC_DEFAULT", "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "MultiRegion": key.multiRegion,
        ]
        if let deletion = key.deletionDate { out["DeletionDate"] = seconds(deletion) }
        if key.multiRegion {
            out["MultiRegionConfiguration"] = [
                "MultiRegionKeyType": key.region == key.primaryRegion ? "PRIMARY" : "REPLICA",
                "PrimaryKey": ["Arn": "arn:aws:kms:\(key.primaryRegion):\(key.arn.split(separator: ":")[4]):key/\(key.keyId)",
                               "Region": key.primaryRegion],
            ]
        }
        return out
    }

    static func error(_ error: KMSError, _ requestId: String) -> WireResponse {
        let object: [String: Any] = ["__type": error.type, "message": error.message]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return WireResponse(status: error.status, headers: [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", requestId)],
                            body: Array(data))
    }
}
