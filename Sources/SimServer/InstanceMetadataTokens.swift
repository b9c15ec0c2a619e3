import AWSSim
import NIOConcurrencyHelpers
import NIOCore

/// IMDSv2 session tokens of serve's instance metadata endpoints: random per
/// `PUT latest/api/token`, bound to the instance that issued them, valid for
/// the TTL the caller asked (1 to 21,600 seconds, EC2 User Guide, "Use the
/// Instance Metadata Service to access instance metadata"), on the wall
/// clock the SDK caching the token also uses.
///
/// Bounded: at most ``capacity`` live tokens; issuing one more drops the
/// expired ones, then the one that expires first.
final class InstanceMetadataTokens: Sendable {
    static let capacity = 10_000
    static let maximumTTLSeconds = 21_600

    struct Grant {
        var instance: String
        var expires: NIODeadline
    }

    let grants = NIOLockedValueBox([String: Grant]())

    /// A new token for `instance`, valid `ttlSeconds`.
    func issue(instance: String, ttlSeconds: Int, now: NIODeadline = .now()) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let token = "AQAEA" + Base64.encode(bytes)
        grants.withLockedValue { grants in
            if grants.count >= Self.capacity {
                grants = grants.filter { $0.value.expires > now }
                if grants.count >= Self.capacity, let first = grants.min(by: { $0.value.expires < $1.value.expires })?.key {
                    grants[first] = nil
                }
            }
            grants[token] = Grant(instance: instance, expires: now + .seconds(Int64(ttlSeconds)))
        }
        return token
    }

    /// True when `token` was issued by `instance` and has not expired.
    func isValid(_ token: String?, instance: String, now: NIODeadline = .now()) -> Bool {
        guard let token else { return false }
        return grants.withLockedValue { grants in
            guard let grant = grants[token] else { return false }
            guard grant.expires > now else {
                grants[token] = nil
                return false
            }
            return grant.instance == instance
        }
    }
}
