import Foundation
import SimCore

/// JUnit XML, one test case per expectation, as CI systems read it
/// (the de-facto schema of Ant's JUnit task, accepted by Jenkins, GitLab and
/// GitHub test reporters).
public enum JUnitReport {
    public static func render(_ report: RunReport) -> String { render([report]) }

    /// One document with a test suite per run (`odas-sim run A.yaml B.yaml --format junit`).
    public static func render(_ reports: [RunReport]) -> String {
        let tests = reports.reduce(0) { $0 + $1.expectations.count }
        let failures = reports.reduce(0) { $0 + $1.expectations.filter { !$0.isAsDeclared }.count }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"odas-sim\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"0\">\n"
        for report in reports { out += suite(report) }
        out += "</testsuites>\n"
        return out
    }

    /// A suite's `time` is the simulated duration (seconds); a test case's is
    /// the measured duration of a time-valued expectation (RTO, RPO, capacity), else 0.
    static func suite(_ report: RunReport) -> String {
        let failures = report.expectations.filter { !$0.isAsDeclared }.count
        var out = ""
        let simulated = (try? DurationSyntax.parse(report.duration).get()).map { seconds($0) } ?? "0"
        out += "  <testsuite name=\"\(escape(report.scenario.name))\" tests=\"\(report.expectations.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\" time=\"\(simulated)\">\n"
        out += "    <properties>\n"
        out += "      <property name=\"seed\" value=\"\(report.seed)\"/>\n"
        out += "      <property name=\"duration\" value=\"\(escape(report.duration))\"/>\n"
        out += "      <property name=\"traceHash\" value=\"\(report.traceHash)\"/>\n"
        out += "      <property name=\"file\" value=\"\(escape(report.scenario.file))\"/>\n"
        if let partial = report.partial { out += "      <property name=\"partial\" value=\"\(escape(partial))\"/>\n" }
        out += "    </properties>\n"
        for result in report.expectations {
            let time = result.unit == "seconds" ? result.measuredValue.map { String(format: "%.3f", $0) } ?? "0" : "0"
            out += "    <testcase classname=\"\(escape(report.scenario.name))\" name=\"\(escape(result.id))\" time=\"\(time)\">\n"
            let summary = "measured \(result.measured), target \(result.target)"
            switch (result.status, result.expectedToFail, result.expectedVacuous) {
            case (.pass, false, false):
                out += "      <system-out>\(escape(summary + ". " + result.detail))</system-out>\n"
            case (.fail, true, _):
                out += "      <system-out>\(escape("failed as declared by expectFailure: " + summary + ". " + result.detail))</system-out>\n"
            case (.vacuous, _, true):
                out += "      <system-out>\(escape("vacuous as declared by expectVacuous: " + summary + ". " + result.detail))</system-out>\n"
            case (.fail, false, _):
                out += "      <failure message=\"\(escape(summary))\" type=\"\(result.kind)\">\(escape(result.detail))</failure>\n"
            case (.vacuous, _, false):
                out += "      <failure message=\"\(escape("vacuous (not observed or not exercised): " + summary))\" type=\"vacuous\">\(escape(result.detail))</failure>\n"
            case (.pass, _, _):
                let declared = result.expectedToFail ? "expectFailure" : "expectVacuous"
                out += "      <failure message=\"\(escape("declared \(declared), but it held: " + summary))\" type=\"unexpected-pass\">\(escape(result.detail))</failure>\n"
            }
            out += "    </testcase>\n"
        }
        out += "  </testsuite>\n"
        return out
    }

    static func seconds(_ duration: SimDuration) -> String { String(format: "%.3f", Double(duration.nanoseconds) / 1e9) }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // XML 1.0 forbids most control characters even when escaped.
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" && scalar != "\r" { out += "?" }
                else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
