import ArgumentParser
import Foundation
import Scenarios

extension OdasSim {
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Combine the explore.json of several shards (explore --shard I/N) into one report.",
            discussion: """
                Each argument is a shard's report directory or its explore.json. The merged explore.json \
                (and the shards' shrunk scenarios, under found/) go into --out. Exit code 1 when a seed failed.
                """
        )

        @Argument(help: "The shards' report directories (or explore.json files).")
        var parts: [String]

        @Option(help: "Where the merged explore.json goes.")
        var out: String

        @Flag(help: "Print explore.json instead of the summary.")
        var json = false

        func run() throws {
            var reports: [(path: String, report: ExploreReport)] = []
            for part in parts {
                do { reports.append((part, try ExploreFiles.read(part))) } catch {
                    printError(error.description)
                    throw ExitCode(2)
                }
            }
            let merged: ExploreReport
            do { merged = try ExploreMerge.merge(reports) } catch {
                printError("merge: error: \(error.description)")
                throw ExitCode(2)
            }
            do {
                try ExploreFiles.write(merged, to: out)
                // The shrunk scenarios come along, so the merged report's links resolve.
                for (path, report) in reports {
                    let base = Self.directory(of: path)
                    for record in report.shrunk where merged.shrunk.contains(record) {
                        let source = base + "/" + record.file, target = out + "/" + record.file
                        guard source != target, FileManager.default.fileExists(atPath: source) else { continue }
                        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                        if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
                        try FileManager.default.copyItem(atPath: source, toPath: target)
                    }
                }
            } catch {
                printError("\(out): error: cannot write the merged report: \(error.localizedDescription)")
                throw ExitCode(2)
            }
            if json { print(ExploreFiles.render(merged), terminator: "") } else {
                print(ExploreText.render(merged, directory: out) + "Merged \(reports.count) parts into \(out)/explore.json")
            }
            if merged.exitCode != 0 { throw ExitCode(merged.exitCode) }
        }

        static func directory(of path: String) -> String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return path }
            return (path as NSString).deletingLastPathComponent
        }
    }
}
