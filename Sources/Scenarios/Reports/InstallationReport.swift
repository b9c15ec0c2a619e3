/// `report.json` `installation`: how the installer went, phase by phase.
public struct InstallationReport: Codable, Sendable, Equatable {
    public struct Phase: Codable, Sendable, Equatable {
        /// `T+3m12s`.
        public var at: String
        public var text: String
    }

    /// cloudformation, ec2 or eks.
    public var installer: String
    /// `installed`, `failed` or `in-progress` (the run ended first).
    public var outcome: String
    /// From the start of the run to every ODAS service ready (`24m31s`).
    public var installedAfter: String?
    /// CreateStack tries (cloudformation), or 1.
    public var attempts: Int
    public var phases: [Phase]
    /// Why the last attempt failed, when it did.
    public var failure: String?
    /// What rollbacks left in the AWS fakes (should be nothing), per attempt.
    public var leftBehind: [String]
}
