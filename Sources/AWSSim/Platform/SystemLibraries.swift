import CLibXML2
import CSQLite

/// Versions of the system libraries AWSSim runs on, as linked at run time.
///
/// SQLite is the RDS fake's storage engine (each replica its own database,
/// kept in step with the session extension's changesets); libxml2 parses and
/// writes the S3 REST XML. `odas-sim version` prints these so that a report
/// can be tied to the engines that produced it.
public enum SystemLibraries {
    /// The SQLite library version, e.g. `3.40.1`.
    public static var sqliteVersion: String {
        guard let pointer = sqlite3_libversion() else { return "unknown" }
        return String(cString: pointer)
    }

    /// True when the linked SQLite has the session extension (changesets).
    public static var sqliteHasSessionExtension: Bool {
        sqlite3_compileoption_used("ENABLE_SESSION") != 0
    }

    /// The libxml2 version, e.g. `2.9.14`.
    public static var libxml2Version: String {
        guard let pointer = __xmlParserVersion()?.pointee else { return "unknown" }
        let raw = String(cString: pointer) // e.g. "20914"
        guard let number = Int(raw) else { return raw }
        return "\(number / 10000).\((number / 100) % 100).\(number % 100)"
    }
}
