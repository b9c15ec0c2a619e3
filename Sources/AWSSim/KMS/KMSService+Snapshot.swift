import SimCore


extension KMSService {
    /// Everything KMS holds (keys with their policies, state and grants, aliases
    /// and the id counter), for `odas-sim serve --state-dir`. Key material is
    /// derived from the account and key id, so a restored key decrypts what the
    /// original encrypted.
    public struct Snapshot: Codable, Equatable, Sendable {
        public var keys: [Key]
        public var aliases: [String: [String: String]]
        public var counter: UInt64

        /// The same state with every instant moved by `offset` (a restart's
        /// virtual zero is a different wall-clock time).
        public func shifted(by offset: SimDuration) -> Snapshot {
            var copy = self
            copy.keys = keys.map { key in
                var key = key
                key.created = key.created + offset
                key.deletionDate = key.deletionDate.map { $0 + offset }
                return key
            }
            return copy
        }
    }

    /// The current state, keys in ARN order.
    public var snapshot: Snapshot {
        Snapshot(keys: keys.values.sorted { $0.arn < $1.arn }, aliases: aliases, counter: counter)
    }

    /// Replaces the whole state with a snapshot.
    public mutating func restore(_ snapshot: Snapshot) {
        keys = Dictionary(snapshot.keys.map { ($0.arn, $0) }, uniquingKeysWith: { _, last in last })
        aliases = snapshot.aliases
        counter = snapshot.counter
    }
}
