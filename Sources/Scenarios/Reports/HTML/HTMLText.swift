/// Escaping for the HTML report: every text and attribute value goes through here.
enum HTMLText {
    /// The same escaping as the JUnit report's XML (`&<>"'`, control characters replaced): valid in HTML text and attributes.
    static func escape(_ text: String) -> String { JUnitReport.escape(text) }

    /// A number for SVG coordinates: at most one decimal, no exponent.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = Int((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let magnitude = abs(tenths)
        return magnitude % 10 == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }

    /// `PASS`, `FAIL`, `XFAIL`, `VACUOUS`, `XVAC` as the text report writes them, and the CSS class.
    static func status(_ result: PropertyResult) -> (label: String, cssClass: String) {
        switch (result.status, result.expectedToFail, result.expectedVacuous) {
        case (.pass, false, false): return ("PASS", "pass")
        case (.fail, true, _): return ("XFAIL", "xfail")
        case (.vacuous, _, true): return ("XVAC", "xvac")
        case (.vacuous, _, _): return ("VACUOUS", "vacuous")
        case (.pass, _, _): return ("PASS (declared otherwise)", "fail")
        case (.fail, _, _): return ("FAIL", "fail")
        }
    }
}
