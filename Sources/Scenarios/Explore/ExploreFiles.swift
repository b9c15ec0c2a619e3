import Foundation

/// `explore.json` on disk: written with sorted keys (stable bytes) and read back by `merge`.
public enum ExploreFiles {
    public static func render(_ report: ExploreReport) -> String { JSONReport.encode(report) }

    /// Writes `explore.json` and `explore.html` into `directory`, creating it.
    public static func write(_ report: ExploreReport, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(render(report).utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent("explore.json"))
        try Data(ExploreHTML.render(report).utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent("explore.html"))
    }

    /// Reads `explore.json` from `path` (the file or its folder).
    public static func read(_ path: String) throws(ScenarioDocument.Failure) -> ExploreReport {
        var isDirectory: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            ? URL(fileURLWithPath: path).appendingPathComponent("explore.json").path : path
        guard let data = FileManager.default.contents(atPath: file) else { throw .unreadable("\(file): no such file") }
        do { return try JSONDecoder().decode(ExploreReport.self, from: data) } catch {
            throw .unreadable("\(file): not an explore.json: \(error)")
        }
    }
}
