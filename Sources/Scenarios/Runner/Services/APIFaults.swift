import SimCore

/// FIS-style API faults (`api-internal-error`, `api-throttle-error`,
/// `api-unavailable-error`): while one is active, the given share of the
/// service's calls answer its error instead of running. The errors are
/// S3's own (Amazon S3 API Reference, "Error responses"): `InternalError`
/// (500, "We encountered an internal error. Please try again."), `SlowDown`
/// (503, "Please reduce your request rate.") and `ServiceUnavailable`
/// (503, "Reduce your request rate." is SlowDown's; unavailable says the service cannot handle the request).
enum APIFaults {
    /// The fault-domain name of the S3 service an API fault targets.
    static let s3Service = "s3"
    /// The operations the simulated clients call on S3.
    static let s3Operations = ["GetObject", "PutObject"]

    static func error(for action: FaultAction) -> (code: String, message: String) {
        switch action {
        case .apiThrottleError: return ("SlowDown", "Please reduce your request rate. (injected by fault)")
        case .apiUnavailableError: return ("ServiceUnavailable", "Service is unable to handle request. (injected by fault)")
        default: return ("InternalError", "We encountered an internal error. Please try again. (injected by fault)")
        }
    }
}

extension World {
    /// The injected error for an S3 `operation` now, if an active API fault
    /// hits it; draws from `random` only while one applies.
    mutating func injectedS3Error(operation: String, random: inout SimRandom) -> (code: String, message: String)? {
        for index in apiFaults.sorted() {
            let spec = scenario.faults[index]
            guard spec.target.name == APIFaults.s3Service, spec.operations?.contains(operation) ?? true else { continue }
            if random.unitInterval() < (spec.percentage ?? 1) { return APIFaults.error(for: spec.action) }
        }
        return nil
    }
}
