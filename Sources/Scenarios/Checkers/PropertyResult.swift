/// The verdict on one expectation.
public enum PropertyStatus: String, Codable, Sendable {
    /// The expectation holds.
    case pass
    /// The expectation does not hold.
    case fail
    /// The run could not observe the expectation or did not exercise it: the
    /// measuring client was down for the disruption, no fault touched what
    /// the workload depends on, nothing failed over or was rescheduled where
    /// the expectation protects that, or nothing was there to check
    /// (docs/properties.md, "Vacuous expectations"). Not a pass.
    case vacuous
}

/// The result of checking one expectation against a run.
public struct PropertyResult: Codable, Sendable {
    /// `rto/emr-reads`, `invariant/no-acknowledged-write-lost`, …
    public var id: String
    /// `rto`, `rpo`, `availability` or `invariant`.
    public var kind: String
    public var workload: String?
    /// The target as written (`≤ 5m`, `≥ 99.9%`).
    public var target: String
    /// The measured value (`1m42.5s`, `99.95%`, `3 lost writes`), or why there is none.
    public var measured: String
    public var status: PropertyStatus
    /// One or two sentences on how the value came about.
    public var detail: String
    /// The measured value and the target as numbers, in ``unit``
    /// (`seconds`, `fraction` or `count`), for tools reading report.json;
    /// nil when there is no number (not recovered, vacuous, unknown).
    public var measuredValue: Double?
    public var targetValue: Double?
    public var unit: String?
    /// The first operation that violates the property, for invariants.
    public var firstOffendingOperation: Int?
    /// True when the scenario declared this expectation must fail.
    public var expectedToFail: Bool = false
    /// True when the scenario declared this expectation cannot be observed
    /// (`expectVacuous`).
    public var expectedVacuous: Bool = false

    /// Whether this result is what the scenario wanted.
    public var isAsDeclared: Bool {
        if expectedToFail { return status == .fail }
        if expectedVacuous { return status == .vacuous }
        return status == .pass
    }

    /// Records a count of violations as the measured number (target 0).
    mutating func measuredCount(_ count: Int) {
        measuredValue = Double(count)
        targetValue = 0
        unit = "count"
    }

    /// Marks the result vacuous, with what could not be observed and why.
    mutating func makeVacuous(measured: String, detail: String) {
        status = .vacuous
        measuredValue = nil
        self.measured = measured
        self.detail = detail
    }
}
