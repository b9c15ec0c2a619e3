import AWSSim
import ArgumentParser
import SimCore

extension OdasSim {
    struct Version: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print versions of odas-sim, its formats and engines.")

        func run() {
            print("odas-sim \(OdasSim.version)")
            print("scenario format v1, trace format v\(Trace.formatVersion), report format v1")
            let session = SystemLibraries.sqliteHasSessionExtension ? "with session extension" : "without session extension"
            print("sqlite \(SystemLibraries.sqliteVersion) (\(session)), libxml2 \(SystemLibraries.libxml2Version)")
        }
    }
}
