import Crypto
import Foundation
import SimCore

/// A KMS error: the JSON protocol's `__type` and message (KMS API Reference, "Errors").
public struct KMSError: Error, Equatable, Sendable, CustomStringConvertible {
    public var type: String
    public var message: String
    public var status: Int = 400

    public var description: String { "\(type): \(message)" }
}

/// AWS KMS for one account: symmetric keys with key policies and grants,
/// aliases, key state (enabled, disabled, pending deletion), multi-region
/// keys and their replicas, and Encrypt / Decrypt / GenerateDataKey with
/// real AES-256-GCM (swift-crypto).
///
/// Key material is derived from the account and key id, so runs are
/// deterministic and a multi-region replica shares its primary's material,
/// as on AWS (kms/latest/developerguide/multi-region-keys-overview.html).
/// The ciphertext blob is this simulator's own format (version, key id,
/// nonce, sealed box), not AWS's: like AWS's, it names its key, so Decrypt
/// needs no KeyId.
public struct KMSService: Sendable {
    public enum KeyState: String, Sendable, Codable { case enabled = "Enabled", disabled = "Disabled", pendingDeletion = "PendingDeletion" }

    public struct Grant: Sendable, Equatable, Codable {
        public var grantId: String
        public var granteePrincipal: String
        public var operations: [String]
        public var name: String?
    }

    public struct Key: Sendable, Equatable, Codable {
        public var keyId: String
        public var arn: String
        public var region: String
        public var description: String
        public var state: KeyState
        public var policy: String
        public var multiRegion: Bool
        public var primaryRegion: String
        public var created: SimInstant
        public var deletionDate: SimInstant?
        public var grants: [Grant] = []
    }

    public let account: String
    /// Keys by ARN (a multi-region key has one per region, same key id).
    public internal(set) var keys: [String: Key] = [:]
    /// `alias/name` by region → key id.
    public internal(set) var aliases: [String: [String: String]] = [:]
    var counter: UInt64 = 0

    public init(account: String) {
        self.account = account
    }

    /// The default key policy: the account's root may do anything, which lets
    /// IAM policies in the account grant use of the key
    /// (kms/latest/developerguide/key-policy-default.html).
    public func defaultPolicy() -> String {
        #"{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\#(account):root"},"Action":"kms:*","Resource":"*"}]}"#
    }

    mutating func nextId(_ seed: String) -> UInt64 {
        counter += 1
        return SplitMix64.mix(StableHash.fnv1a64(seed) ^ counter)
    }

    static func hex(_ value: UInt64, _ digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text.suffix(digits)
    }

    public mutating func createKey(region: String, description: String = "", policy: String? = nil, multiRegion: Bool = false,
                                   now: SimInstant) throws(KMSError) -> Key {
        if let policy {
            do { _ = try PolicyDocument.parse(policy) } catch {
                throw KMSError(type: "MalformedPolicyDocumentException", message: error.message)
            }
        }
        let a = nextId("\(region)/\(description)"), b = SplitMix64.mix(a)
        let uuid = "\(Self.hex(a >> 32, 8))-\(Self.hex(a >> 16, 4))-4\(Self.hex(a, 3))-\(Self.hex(8 | (b >> 62), 1))\(Self.hex(b >> 48, 3))-\(Self.hex(b, 12))"
        let keyId = multiRegion ? "mrk-" + Self.hex(a, 16) + Self.hex(b, 16) : uuid
        let key = Key(keyId: keyId, arn: "arn:aws:kms:\(region):\(account):key/\(keyId)", region: region, description: description,
                      state: .enabled, policy: policy ?? defaultPolicy(), multiRegion: multiRegion, primaryRegion: region, created: now)
        keys[key.arn] = key
        return key
    }

    /// ReplicateKey: a replica of a multi-region key in another region (same key id and material).
    public mutating func replicateKey(_ keyId: String, region: String, replicaRegion: String, now: SimInstant) throws(KMSError) -> Key {
        let primary = try key(keyId, region: region)
        guard primary.multiRegion else {
            throw KMSError(type: "UnsupportedOperationException", message: "\(primary.arn) is not a multi-Region key")
        }
        let arn = "arn:aws:kms:\(replicaRegion):\(account):key/\(primary.keyId)"
        guard keys[arn] == nil else { throw KMSError(type: "AlreadyExistsException", message: "Replica key \(arn) already exists") }
        var replica = primary
        replica.arn = arn
        replica.region = replicaRegion
        replica.created = now
        replica.grants = []
        keys[arn] = replica
        return replica
    }

    /// A key by id, ARN or alias, in a region. Only the key's own region finds it.
    public func key(_ identifier: String, region: String) throws(KMSError) -> Key {
        var id = identifier
        if identifier.hasPrefix("arn:aws:kms:") {
            let parts = identifier.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            guard parts.count == 6, parts[3] == region else {
                throw KMSError(type: "NotFoundException", message: "Invalid arn \(region)")
            }
            id = String(parts[5])
            if id.hasPrefix("key/") { id = String(id.dropFirst("key/".count)) }
        }
        if id.hasPrefix("alias/") {
            guard let target = aliases[region]?[id] else {
                throw KMSError(type: "NotFoundException", message: "Alias arn:aws:kms:\(region):\(account):\(id) is not found.")
            }
            id = target
        }
        guard let key = keys["arn:aws:kms:\(region):\(account):key/\(id)"] else {
            throw KMSError(type: "NotFoundException", message: "Key 'arn:aws:kms:\(region):\(account):key/\(id)' does not exist")
        }
        return key
    }

    mutating func update(_ identifier: String, region: String, _ change: (inout Key) throws(KMSError) -> Void) throws(KMSError) -> Key {
        var key = try key(identifier, region: region)
        try change(&key)
        keys[key.arn] = key
        return key
    }

    /// CreateAlias. Names under `alias/aws/` are AWS's own (`managedByAWS`: S3's default key).
    public mutating func createAlias(_ alias: String, keyId: String, region: String, managedByAWS: Bool = false) throws(KMSError) {
        guard alias.hasPrefix("alias/"), managedByAWS || !alias.hasPrefix("alias/aws/"), alias.count > 6 else {
            throw KMSError(type: "ValidationException", message: "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")
        }
        let target = try key(keyId, region: region)
        guard aliases[region]?[alias] == nil else {
            throw KMSError(type: "AlreadyExistsException", message: "An alias with the name arn:aws:kms:\(region):\(account):\(alias) already exists")
        }
        aliases[region, default: [:]][alias] = target.keyId
    }

    /// DeleteAlias.
    public mutating func deleteAlias(_ alias: String, region: String) throws(KMSError) {
        guard aliases[region]?[alias] != nil else {
            throw KMSError(type: "NotFoundException", message: "Alias arn:aws:kms:\(region):\(account):\(alias) is not found.")
        }
        aliases[region]?[alias] = nil
    }

    public mutating func setState(_ keyId: String, region: String, enabled: Bool) throws(KMSError) -> Key {
        try update(keyId, region: region) { (key: inout Key) throws(KMSError) in
            guard key.state != .pendingDeletion else { throw Self.invalidState(key) }
            key.state = enabled ? .enabled : .disabled
        }
    }

    /// ScheduleKeyDeletion: 7 to 30 days, 30 by default (KMS API Reference).
    public mutating func scheduleDeletion(_ keyId: String, region: String, pendingWindowDays: Int?, now: SimInstant) throws(KMSError) -> Key {
        let days = pendingWindowDays ?? 30
        guard (7...30).contains(days) else {
            throw KMSError(type: "ValidationException",
                           message: "1 validation error detected: Value '\(days)' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30")
        }
        return try update(keyId, region: region) { (key: inout Key) throws(KMSError) in
            key.state = .pendingDeletion
            key.deletionDate = now + .hours(Int64(days) * 24)
        }
    }

    public mutating func cancelDeletion(_ keyId: String, region: String) throws(KMSError) -> Key {
        try update(keyId, region: region) { (key: inout Key) throws(KMSError) in
            guard key.state == .pendingDeletion else { throw Self.invalidState(key) }
            key.state = .disabled // AWS leaves a key disabled after cancelling its deletion
            key.deletionDate = nil
        }
    }

    public mutating func putKeyPolicy(_ keyId: String, region: String, policy: String) throws(KMSError) {
        _ = try update(keyId, region: region) { (key: inout Key) throws(KMSError) in key.policy = policy }
    }

    public mutating func createGrant(_ keyId: String, region: String, grantee: String, operations: [String], name: String?) throws(KMSError) -> Grant {
        let known: Set<String> = ["Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom",
                                  "ReEncryptTo", "CreateGrant", "RetireGrant", "DescribeKey"]
        guard !operations.isEmpty, operations.allSatisfy(known.contains) else {
            throw KMSError(type: "ValidationException", message: "1 validation error detected: Value at 'operations' failed to satisfy constraint: Member must satisfy enum value set: \(known.sorted())")
        }
        let grant = Grant(grantId: Self.hex(nextId(keyId + grantee), 16) + Self.hex(nextId(grantee), 16) + Self.hex(nextId(keyId), 16)
                            + Self.hex(nextId(region), 16), granteePrincipal: grantee, operations: operations, name: name)
        _ = try update(keyId, region: region) { (key: inout Key) throws(KMSError) in key.grants.append(grant) }
        return grant
    }

    public mutating func revokeGrant(_ keyId: String, region: String, grantId: String) throws(KMSError) {
        _ = try update(keyId, region: region) { (key: inout Key) throws(KMSError) in
            guard key.grants.contains(where: { $0.grantId == grantId }) else {
                throw KMSError(type: "NotFoundException", message: "Grant ID \(grantId) not found")
            }
            key.grants.removeAll { $0.grantId == grantId }
        }
    }

    // MARK: Authorization

    /// Whether `principal` may perform `action` (`kms:Decrypt`) on `key`. KMS
    /// differs from most services: IAM policies count only when the key policy
    /// delegates to the account (the default policy does); otherwise the key
    /// policy must name the principal, or a grant must allow the operation
    /// (kms/latest/developerguide/control-access.html, "KMS key access and permissions").
    public func authorize(_ principal: IAMPrincipal, action: String, key: Key, identityPolicies: [PolicyDocument],
                          context: [String: [String]] = [:]) -> AuthorizationDecision {
        var keys = principal.contextKeys
        for (name, values) in context { keys[name] = values }
        let request = AuthorizationRequest(principalArn: principal.arn, principalAccount: principal.account, action: action,
                                           resource: key.arn, resourceAccount: account, context: keys)
        let keyPolicy = (try? PolicyDocument.parse(key.policy)) ?? PolicyDocument(version: "2012-10-17", statements: [])
        let full = PolicyEvaluator.evaluate(request, identityPolicies: identityPolicies, resourcePolicy: keyPolicy)
        if case .explicitDeny = full { return full }
        let operation = String(action.dropFirst("kms:".count))
        if let grant = key.grants.first(where: { [principal.arn, principal.principalArn].contains($0.granteePrincipal)
            && ($0.operations.contains(operation) || (operation.hasPrefix("GenerateDataKey") && $0.operations.contains("GenerateDataKey"))) }) {
            return .allow(statement: "grant \(grant.grantId)")
        }
        if let direct = PolicyEvaluator.firstAllow([keyPolicy], request, isResourcePolicy: true, directOnly: true),
           principal.account == account {
            return .allow(statement: direct)
        }
        let delegates = PolicyEvaluator.firstAllow([keyPolicy], request, isResourcePolicy: true) != nil
        if delegates, let identity = PolicyEvaluator.firstAllow(identityPolicies, request, isResourcePolicy: false) {
            return .allow(statement: identity)
        }
        return .implicitDeny(reason: DenyReason(delegates ? "no identity-based policy allows the \(action) action"
                                               : "the key policy of \(key.arn) does not allow \(action) for \(principal.arn)"))
    }

    // MARK: Cryptography

    static func invalidState(_ key: Key) -> KMSError {
        KMSError(type: "KMSInvalidStateException", message: "\(key.arn) is pending deletion.")
    }

    /// Throws DisabledException or KMSInvalidStateException unless the key is enabled.
    public static func usable(_ key: Key) throws(KMSError) {
        switch key.state {
        case .enabled: return
        case .disabled: throw KMSError(type: "DisabledException", message: "\(key.arn) is disabled.")
        case .pendingDeletion: throw invalidState(key)
        }
    }

    func material(_ key: Key) -> SymmetricKey {
        SymmetricKey(data: SHA256.hash(data: Array("odas-sim kms key material/\(account)/\(key.keyId)".utf8)))
    }

    static func contextBytes(_ context: [String: String]) -> [UInt8] {
        Array(context.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n").utf8)
    }

    /// Encrypt: up to 4096 bytes of plaintext (KMS API Reference, Encrypt).
    public mutating func encrypt(_ keyId: String, region: String, plaintext: [UInt8], context: [String: String] = [:]) throws(KMSError) -> (blob: [UInt8], key: Key) {
        let key = try key(keyId, region: region)
        try Self.usable(key)
        guard (1...4096).contains(plaintext.count) else {
            throw KMSError(type: "ValidationException", message: "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
        }
        let seed = nextId(key.arn)
        var nonceBytes = [UInt8](repeating: 0, count: 12)
        for index in 0..<8 { nonceBytes[index] = UInt8(truncatingIfNeeded: seed >> (8 * UInt64(index))) }
        for index in 0..<4 { nonceBytes[8 + index] = UInt8(truncatingIfNeeded: counter >> (8 * UInt64(index))) }
        do {
            let sealed = try AES.GCM.seal(plaintext, using: material(key), nonce: AES.GCM.Nonce(data: nonceBytes),
                                          authenticating: Self.contextBytes(context))
            let id = Array(key.keyId.utf8)
            return ([1, UInt8(id.count)] + id + Array(sealed.combined ?? Data()), key)
        } catch {
            throw KMSError(type: "KMSInternalException", message: "encryption failed: \(error)", status: 500)
        }
    }

    /// The key a ciphertext blob names (version byte, key id length, key id), before it is opened.
    public func key(ofCiphertext blob: [UInt8], region: String) throws(KMSError) -> Key {
        guard blob.count > 2, blob[0] == 1, blob.count > 2 + Int(blob[1]) + 28 else {
            throw KMSError(type: "InvalidCiphertextException", message: "")
        }
        return try key(String(decoding: blob[2..<(2 + Int(blob[1]))], as: UTF8.self), region: region)
    }

    /// Decrypt: the blob names its key; a KeyId, if given, must be that key.
    public func decrypt(_ blob: [UInt8], region: String, keyId expected: String?, context: [String: String] = [:]) throws(KMSError) -> (plaintext: [UInt8], key: Key) {
        let invalid = KMSError(type: "InvalidCiphertextException", message: "")
        let key = try key(ofCiphertext: blob, region: region)
        let idEnd = 2 + Int(blob[1])
        if let expected, let named = try? self.key(expected, region: region), named.keyId != key.keyId {
            throw KMSError(type: "IncorrectKeyException",
                           message: "The key ID in the request does not identify a CMK that can perform this operation.")
        }
        try Self.usable(key)
        do {
            let box = try AES.GCM.SealedBox(combined: Data(blob[idEnd...]))
            return (Array(try AES.GCM.open(box, using: material(key), authenticating: Self.contextBytes(context))), key)
        } catch {
            throw invalid
        }
    }

    /// GenerateDataKey: a fresh data key (32 bytes for AES_256, 16 for AES_128,
    /// or NumberOfBytes 1–1024), returned in plaintext and encrypted.
    public mutating func generateDataKey(_ keyId: String, region: String, keySpec: String?, numberOfBytes: Int?,
                                         context: [String: String] = [:]) throws(KMSError) -> (plaintext: [UInt8], blob: [UInt8], key: Key) {
        let size: Int
        switch (keySpec, numberOfBytes) {
        case ("AES_256"?, nil): size = 32
        case ("AES_128"?, nil): size = 16
        case (nil, let bytes?) where (1...1024).contains(bytes): size = bytes
        default:
            throw KMSError(type: "ValidationException", message: "Please specify either number of bytes or key spec.")
        }
        var data: [UInt8] = []
        var state = nextId("datakey/\(keyId)")
        while data.count < size {
            state = SplitMix64.mix(state)
            for shift in stride(from: 0, to: 64, by: 8) where data.count < size { data.append(UInt8(truncatingIfNeeded: state >> UInt64(shift))) }
        }
        let sealed = try encrypt(keyId, region: region, plaintext: data, context: context)
        return (data, sealed.blob, sealed.key)
    }
}
