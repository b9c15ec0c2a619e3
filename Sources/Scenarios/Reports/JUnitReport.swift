/// JUnit XML, one test case per expectation, as CI systems read it
/// (the de-facto schema of Ant's JUnit task, accepted by Jenkins, GitLab and
/// GitHub test reporters).
public enum JUnitReport {
    public static func render(_ report: RunReport) -> String {
        let failures = report.expectations.filter { !$0.isAsDeclared }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"odas-sim\" tests=\"\(report.expectations.count)\" failures=\"\(failures)\" errors=\"0\">\n"
        out += "  <testsuite name=\"\(escape(report.scenario.name))\" tests=\"\(report.expectations.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\" time=\"0\">\n"
        out += "    <properties>\n"
        out += "      <property name=\"seed\" value=\"\(report.seed)\"/>\n"
        out += "      <property name=\"duration\" value=\"\(escape(report.duration))\"/>\n"
        out += "      <property name=\"traceHash\" value=\"\(report.traceHash)\"/>\n"
        out += "      <property name=\"file\" value=\"\(escape(report.scenario.file))\"/>\n"
        out += "    </properties>\n"
        for result in report.expectations {
            out += "    <testcase classname=\"\(escape(report.scenario.name))\" name=\"\(escape(result.id))\" time=\"0\">\n"
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
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }

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
